"""Dense in int4 (per block of rows and per channel) and float8 (with its delayed-scaling
training steps) against Keras 3: equal weights, outputs and files both ways."""

import warnings

import keras
import numpy as np
import pytest

import hocsau


def build(lib):
    return lib.Sequential([lib.Input((200,)), lib.layers.Dense(7, activation="relu"),
                           lib.layers.Dense(3)])


def quantized_pair(mode, keras_config=None, config=None, build=build):
    reference, model = build(keras), build(hocsau)
    model.set_weights(reference.get_weights())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference.quantize(mode, config=keras_config)
    model.quantize(mode, config=config)
    return reference, model


def assert_same(reference, model, x):
    for theirs, ours in zip(reference.weights, model.weights, strict=True):
        assert theirs.name == ours.name
        np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs),
                                   rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(model.predict(x, verbose=0), reference.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-7)


@pytest.fixture
def x():
    return np.random.default_rng(0).normal(size=(5, 200)).astype("float32")


@pytest.mark.parametrize("block_size, policy", [(128, "int4/128_from_float32"),
                                                (-1, "int4/-1_from_float32")])
def test_int4_equals_keras_and_files_cross(x, tmp_path, block_size, policy):
    reference, model = quantized_pair(
        "int4", keras.quantizers.Int4QuantizationConfig(block_size=block_size),
        hocsau.quantizers.Int4QuantizationConfig(block_size=block_size))
    assert model.layers[0].dtype_policy.name == policy
    assert_same(reference, model, x)
    model.save(tmp_path / "ours.keras")
    reference.save(tmp_path / "theirs.keras")
    expected = reference.predict(x, verbose=0)
    np.testing.assert_allclose(
        keras.saving.load_model(tmp_path / "ours.keras").predict(x, verbose=0), expected)
    np.testing.assert_allclose(
        hocsau.saving.load_model(tmp_path / "theirs.keras").predict(x, verbose=0), expected)


def test_float8_training_updates_scales_as_keras(x, tmp_path):
    reference, model = quantized_pair("float8")
    assert [w.name for w in model.layers[0].weights] == [
        "kernel", "bias", "inputs_scale", "inputs_amax_history", "kernel_scale",
        "kernel_amax_history", "outputs_grad_scale", "outputs_grad_amax_history"]
    y = np.random.default_rng(1).normal(size=(5, 3)).astype("float32")
    reference.compile(keras.optimizers.SGD(0.01), "mse")
    model.compile(hocsau.optimizers.SGD(0.01), "mse")
    for _ in range(2):
        reference.train_on_batch(x, y)
        model.train_on_batch(x, y)
    assert model.layers[0].inputs_amax_history.numpy()[0] > 0  # the histories moved
    assert_same(reference, model, x)
    model.save(tmp_path / "ours.keras")
    loaded = keras.saving.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), reference.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("block_size", [4, -1])
def test_embedding_int4_equals_keras(tmp_path, block_size):
    def table(lib):
        return lib.Sequential([lib.Input((6,), dtype="int32"), lib.layers.Embedding(30, 9)])

    reference, model = quantized_pair(
        "int4", keras.quantizers.Int4QuantizationConfig(block_size=block_size),
        hocsau.quantizers.Int4QuantizationConfig(block_size=block_size), table)
    ids = np.random.default_rng(2).integers(0, 30, (4, 6)).astype("int32")
    assert_same(reference, model, ids)
    model.save(tmp_path / "ours.keras")
    np.testing.assert_array_equal(
        keras.saving.load_model(tmp_path / "ours.keras").predict(ids, verbose=0),
        reference.predict(ids, verbose=0))


def test_einsum_dense_float8_trains_as_keras():
    def projection(lib):
        return lib.Sequential([lib.Input((5, 4)), lib.layers.EinsumDense(
            "abc,cde->abde", output_shape=(5, 2, 3), bias_axes="de")])

    reference, model = quantized_pair("float8", build=projection)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    y = rng.normal(size=(3, 5, 2, 3)).astype("float32")
    reference.compile(keras.optimizers.SGD(0.01), "mse")
    model.compile(hocsau.optimizers.SGD(0.01), "mse")
    for _ in range(2):
        reference.train_on_batch(x, y)
        model.train_on_batch(x, y)
    assert_same(reference, model, x)


@pytest.mark.parametrize("equation, input_shape, output_shape, block_size", [
    ("abc,cde->abde", (5, 4), (5, 2, 3), 2), ("abcd,cde->abe", (3, 6, 2), (3, 5), -1)])
def test_einsum_dense_int4_equals_keras(equation, input_shape, output_shape, block_size):
    def projection(lib):
        return lib.Sequential([lib.Input(input_shape), lib.layers.EinsumDense(
            equation, output_shape=output_shape, bias_axes=None)])

    reference, model = quantized_pair(
        "int4", keras.quantizers.Int4QuantizationConfig(block_size=block_size),
        hocsau.quantizers.Int4QuantizationConfig(block_size=block_size), projection)
    x = np.random.default_rng(4).normal(size=(3,) + input_shape).astype("float32")
    assert_same(reference, model, x)
