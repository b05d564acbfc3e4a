"""`Model.quantize("int8")` against Keras 3's: same weights in, the same int8 weights, scales
and outputs out, and quantized `.keras` files that load in the other library."""

import warnings

import keras
import numpy as np
import pytest

import hocsau
from hocsau import layers


def build(lib):
    """Embedding -> EinsumDense (3D kernel output) -> Dense: the three quantizable kinds."""
    ids = lib.Input((7,), dtype="int32")
    x = lib.layers.Embedding(20, 8)(ids)
    x = lib.layers.EinsumDense("abc,cde->abde", output_shape=(7, 2, 3), bias_axes="de")(x)
    x = lib.layers.Flatten()(x)
    x = lib.layers.Dense(5, activation="relu")(x)
    return lib.Model(ids, lib.layers.Dense(3)(x))


def keras_int8(model):
    with warnings.catch_warnings():  # Keras warns for each layer without `quantize`
        warnings.simplefilter("ignore")
        model.quantize("int8")


@pytest.fixture
def pair():
    reference, model = build(keras), build(hocsau)
    model.set_weights(reference.get_weights())
    return reference, model


@pytest.fixture
def ids():
    return np.random.default_rng(0).integers(0, 20, (4, 7)).astype("int32")


def test_int8_weights_and_outputs_equal_keras(pair, ids):
    reference, model = pair
    keras_int8(reference)
    model.quantize("int8")
    for theirs, ours in zip(reference.weights, model.weights, strict=True):
        assert theirs.name == ours.name
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(theirs), ours.numpy())
        assert str(ours.dtype) == f"torch.{theirs.dtype}"
    np.testing.assert_allclose(model.predict(ids, verbose=0),
                               reference.predict(ids, verbose=0), rtol=1e-6, atol=1e-7)
    assert [str(layer.dtype_policy) for layer in model.layers[1:]] == [
        '<QuantizedDTypePolicy "int8_from_float32">'] * 2 + [
        '<DTypePolicy "float32">'] + ['<QuantizedDTypePolicy "int8_from_float32">'] * 2
    assert model.layers[-1].kernel_scale.shape == (3,)
    assert model.layers[2].kernel_scale.shape == (1, 1, 2, 3)


def test_quantized_files_cross_both_ways(pair, ids, tmp_path):
    reference, model = pair
    keras_int8(reference)
    model.quantize("int8")
    expected = reference.predict(ids, verbose=0)
    model.save(tmp_path / "ours.keras")
    reference.save(tmp_path / "theirs.keras")
    theirs_loaded = keras.saving.load_model(tmp_path / "ours.keras")
    ours_loaded = hocsau.saving.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(theirs_loaded.predict(ids, verbose=0), expected, atol=1e-7)
    np.testing.assert_allclose(ours_loaded.predict(ids, verbose=0), expected, atol=1e-7)
    dense = ours_loaded.layers[-1]
    assert dense.kernel.dtype == hocsau.ops.convert_to_tensor(np.int8(0)).dtype
    assert type(dense.quantization_config).__name__ == "Int8QuantizationConfig"
    assert [w.name for w in dense.weights] == ["bias", "kernel", "kernel_scale"]


def test_gradients_reach_the_inputs_and_bias():
    """Training a quantized model updates its float weights: the inputs' gradient is taken
    through the dequantized kernel, as Keras's custom gradient does."""
    model = hocsau.Sequential([hocsau.Input((4,)), layers.Dense(8, activation="relu",
                                                                name="hidden"),
                               layers.Dense(1, name="head")])
    model.quantize("int8", filters="hid")
    assert model.layers[0].quantization_mode == "int8"
    assert model.layers[1].quantization_mode is None
    model.compile("sgd", "mse")
    x = np.random.default_rng(1).random((16, 4), dtype=np.float32)
    bias = model.layers[0].bias.numpy()
    model.fit(x, np.ones((16, 1), np.float32), epochs=2, verbose=0)
    assert not np.array_equal(bias, model.layers[0].bias.numpy())
    assert model.layers[0].kernel.dtype.is_floating_point is False


def test_quantize_errors():
    dense = layers.Dense(2)
    with pytest.raises(ValueError, match="Cannot quantize a layer that isn't yet built"):
        dense.quantize("int8")
    dense.build((None, 3))
    with pytest.raises(ValueError, match=r"Invalid quantization mode.*Received: mode=int3"):
        dense.quantize("int3")
    embedding = layers.Embedding(5, 2)
    embedding.build((None, 3))
    with pytest.raises(ValueError, match=r"supports quantization modes \('int8', 'int4'\)"):
        embedding.quantize("float8")
    dense.quantize("int8")
    with pytest.raises(ValueError, match="is already quantized with dtype_policy="
                                         "'int8_from_float32'"):
        dense.quantize("int8")

    class MyDense(layers.Dense):
        pass

    custom = MyDense(2)
    custom.build((None, 3))
    with pytest.raises(NotImplementedError, match="MyDense does not have a `quantize`"):
        custom.quantize("int8")
    model = hocsau.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="isn't built yet"):
        model.quantize("int8")


def test_int8_model_exports_to_onnx(pair, ids, tmp_path):
    """While exporting, the int8 products run as exact float products (ONNX has no
    `_int_mm`): ONNX Runtime gives the quantized model's outputs."""
    ort = pytest.importorskip("onnxruntime")
    _, model = pair
    model.quantize("int8")
    model.export(tmp_path / "int8.onnx", format="onnx", verbose=False)
    session = ort.InferenceSession(str(tmp_path / "int8.onnx"))
    (out,) = session.run(None, {session.get_inputs()[0].name: ids})
    np.testing.assert_allclose(out, model.predict(ids, verbose=0), rtol=1e-6, atol=1e-7)
