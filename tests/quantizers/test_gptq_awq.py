"""GPTQ and AWQ against Keras 3.15: the same model, weights and calibration windows give
bit-equal quantized weights and equal outputs; files cross.

Keras 3.15's own `model.quantize("gptq")` never feeds its Hessians: it hooks `layer.call`,
but a layer already switched to the "gptq" policy is run through `quantized_call`, so every
Hessian stays zero (AWQ's activation maxima likewise) and the result is plain rounding. The
reference below therefore drives Keras's own per-layer `GPTQ` / `AWQ` classes with the block
inputs those hooks are meant to capture, block by block as Keras's loop does.
"""

import warnings

import keras
import numpy as np
import pytest
from keras.src.quantizers.awq import AWQ as KerasAWQ
from keras.src.quantizers.gptq import GPTQ as KerasGPTQ
from keras.src.quantizers.gptq_core import get_dataloader

import hocsau

TOKENS = np.random.default_rng(0).integers(0, 50, size=(6, 20))


def dense_model(lib):
    inputs = lib.Input((None,), dtype="int32")
    embedding = lib.layers.Embedding(50, 16)
    blocks = [lib.layers.Dense(24, activation="relu"), lib.layers.Dense(16)]
    return lib.Model(inputs, blocks[1](blocks[0](embedding(inputs)))), embedding, blocks


def einsum_model(lib):
    """A query-like (16, 4, 8) kernel, then an output-like (4, 8, 16) one."""
    inputs = lib.Input((None,), dtype="int32")
    embedding = lib.layers.Embedding(50, 16)
    blocks = [lib.layers.EinsumDense("abc,cde->abde", (None, 4, 8), bias_axes="de"),
              lib.layers.EinsumDense("abcd,cde->abe", (None, 16))]
    return lib.Model(inputs, blocks[1](blocks[0](embedding(inputs)))), embedding, blocks


def config(lib, mode, structure=None, **kwargs):
    cls = lib.quantizers.GPTQConfig if mode == "gptq" else lib.quantizers.AWQConfig
    return cls(list(TOKENS), object(), num_samples=3, sequence_length=10,
               quantization_layer_structure=structure, **kwargs)


def keras_reference(build, mode, float_weights=None, **kwargs):
    model, embedding, blocks = build(keras)
    if float_weights is not None:
        model.set_weights(float_weights)
    settings = config(keras, mode, **kwargs)
    inputs = [embedding(w) for w in get_dataloader(None, 10, list(TOKENS), num_samples=3)]
    for layer in blocks:
        layer.quantize(mode, config=settings)
        state = (KerasGPTQ if mode == "gptq" else KerasAWQ)(layer, settings)
        feed = state.update_hessian_with_batch if mode == "gptq" else \
            state.update_activation_magnitudes
        for x in inputs:
            feed(keras.ops.reshape(x, (-1, state.rows)))
        state.quantize_and_correct_layer() if mode == "gptq" else state.quantize_layer()
        inputs = [layer(x)[0][None] for x in inputs]
    return model


def quantized_pair(build, mode, **kwargs):
    model, embedding, blocks = build(hocsau)
    reference = keras_reference(build, mode, model.get_weights(), **kwargs)
    structure = {"pre_block_layers": [embedding], "sequential_blocks": blocks}
    with pytest.warns(UserWarning, match="Embedding.*does not support"):
        model.quantize(mode, config=config(hocsau, mode, structure, **kwargs))
    return reference, model


def assert_same(reference, model):
    for theirs, ours in zip(reference.weights, model.weights, strict=True):
        assert (theirs.name, tuple(theirs.shape)) == (ours.name, tuple(ours.shape))
        np.testing.assert_array_equal(ours.numpy(), keras.ops.convert_to_numpy(theirs))
    x = TOKENS[:2]
    np.testing.assert_allclose(model.predict(x, verbose=0), reference.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("build", [dense_model, einsum_model])
@pytest.mark.parametrize("kwargs", [
    {"group_size": 8},
    {"group_size": -1, "activation_order": True},
    {"group_size": 8, "activation_order": True, "symmetric": True},
    {"weight_bits": 8, "group_size": 4},
    {"weight_bits": 3, "group_size": -1, "per_channel": False},
])
def test_gptq_equals_keras(build, kwargs):
    reference, model = quantized_pair(build, "gptq", **kwargs)
    assert_same(reference, model)
    layer = model.layers[2]
    name = f"gptq/{kwargs.get('weight_bits', 4)}/{kwargs['group_size']}_from_float32"
    assert layer.dtype_policy.name == name and layer.is_gptq_calibrated


@pytest.mark.parametrize("build", [dense_model, einsum_model])
@pytest.mark.parametrize("group_size", [8, -1])
def test_awq_equals_keras(build, group_size):
    reference, model = quantized_pair(build, "awq", group_size=group_size)
    assert_same(reference, model)
    assert model.layers[2].dtype_policy.name == f"awq/4/{group_size}_from_float32"


def test_gptq_beats_plain_rounding_on_the_calibration_data(monkeypatch):
    """Keras 3.15's `model.quantize("gptq")` (its Hessians empty: plain rounding) against
    ours with the Hessians filled: our first layer reproduces its float outputs better.
    Windows evenly spaced: the default "strided" ones move with Python's string hash."""
    from hocsau.quantizers import calibration

    monkeypatch.setattr(calibration, "_window_starts",
                        lambda strategy, last, count, seed, stride: np.linspace(
                            0, last, count, dtype=np.int64))
    hocsau.utils.set_random_seed(0)
    float_model, embedding, blocks = dense_model(hocsau)
    rounded, _, rounded_blocks = dense_model(keras)
    rounded.set_weights(float_model.get_weights())
    windows = get_dataloader(None, 10, list(TOKENS), num_samples=3, strategy="linspace")[:, 0]
    x = embedding(windows).detach()
    expected = blocks[0](x).detach().numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rounded.quantize("gptq", config=config(keras, "gptq", {
            "pre_block_layers": [rounded.layers[1]], "sequential_blocks": rounded_blocks},
            group_size=8))
        float_model.quantize("gptq", config=config(hocsau, "gptq", {
            "pre_block_layers": [embedding], "sequential_blocks": blocks}, group_size=8))
    ours = np.square(blocks[0](x).detach().numpy() - expected).mean()
    theirs = np.square(keras.ops.convert_to_numpy(rounded_blocks[0](x.numpy())) -
                       expected).mean()
    assert ours < 0.95 * theirs  # 0.88 here


@pytest.mark.parametrize("build", [dense_model, einsum_model])
@pytest.mark.parametrize("mode", ["gptq", "awq"])
def test_our_files_load_in_keras_and_ours(build, mode, tmp_path):
    reference, model = quantized_pair(build, mode, group_size=8)
    model.save(tmp_path / "ours.keras")
    x = TOKENS[:2]
    expected = model.predict(x, verbose=0)
    theirs = keras.saving.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-6)
    again = hocsau.saving.load_model(tmp_path / "ours.keras")
    assert again.layers[2].dtype_policy == model.layers[2].dtype_policy
    np.testing.assert_array_equal(again.predict(x, verbose=0), expected)


@pytest.mark.parametrize("build", [dense_model, einsum_model])
def test_keras_files_without_zero_points(build, tmp_path):
    """Keras 3.15 saves GPTQ / AWQ layers without `kernel_zero`: symmetric GPTQ's constant
    zero point is rebuilt, asymmetric files are refused with the reason."""
    reference = keras_reference(build, "gptq", group_size=8, symmetric=True)
    reference.save(tmp_path / "symmetric.keras")
    loaded = hocsau.saving.load_model(tmp_path / "symmetric.keras")
    x = TOKENS[:2]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), reference.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    keras_reference(build, "awq", group_size=8).save(tmp_path / "awq.keras")
    with pytest.raises(ValueError, match="Keras 3.15 leaves `kernel_zero` out"):
        hocsau.saving.load_model(tmp_path / "awq.keras")


def test_configs_and_policies_round_trip_as_keras():
    ours = hocsau.quantizers.GPTQConfig(None, None, weight_bits=3, group_size=32,
                                        activation_order=True)
    theirs = keras.quantizers.GPTQConfig(None, None, weight_bits=3, group_size=32,
                                         activation_order=True)
    assert ours.get_config() == theirs.get_config()
    assert ours.dtype_policy_string() == theirs.dtype_policy_string() == "gptq/3/32"
    awq = hocsau.quantizers.AWQConfig(None, None, num_grid_points=5)
    assert awq.get_config() == keras.quantizers.AWQConfig(None, None,
                                                          num_grid_points=5).get_config()
    for name in ("gptq/8/-1_from_mixed_bfloat16", "awq/4/64_from_float32"):
        policy = hocsau.dtype_policies.get(name)
        expected = keras.dtype_policies.serialize(keras.dtype_policies.get(name))
        assert hocsau.dtype_policies.serialize(policy) == expected
        assert hocsau.dtype_policies.deserialize(expected) == policy


@pytest.mark.parametrize("call, message", [
    (lambda: hocsau.quantizers.GPTQConfig(None, None, weight_bits=5), "Unsupported weight_bits"),
    (lambda: hocsau.quantizers.GPTQConfig(None, None, hessian_damping=2), "between 0 and 1"),
    (lambda: hocsau.quantizers.AWQConfig(None, None, weight_bits=8), "only supports 4-bit"),
    (lambda: hocsau.quantizers.AWQConfig(None, None, group_size=0), "Invalid group_size"),
    (lambda: hocsau.dtype_policies.get("awq/8/128_from_float32"), "Invalid weight_bits"),
    (lambda: hocsau.dtype_policies.GPTQDTypePolicy("gptq/4", "float32"), "Expected format"),
])
def test_argument_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_model_quantize_errors():
    model, embedding, blocks = dense_model(hocsau)
    with pytest.raises(ValueError, match="calibrated with a dataset"):
        model.quantize("gptq")
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="quantization structure"):
        model.quantize("gptq", config=config(hocsau, "gptq"))
    model, embedding, blocks = dense_model(hocsau)
    settings = hocsau.quantizers.AWQConfig(None, None, quantization_layer_structure={
        "pre_block_layers": [embedding], "sequential_blocks": blocks})
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="dataset and a tokenizer"):
        model.quantize("awq", config=settings)


def test_structure_from_the_model_hook_and_uncalibrated_layers_stay_float():
    class Blocks(hocsau.Model):
        def get_quantization_layer_structure(self, mode=None):
            return {"pre_block_layers": [self.layers[1]], "sequential_blocks": self.layers[2:]}

    model, _, blocks = dense_model(hocsau)
    model = Blocks(model.input, model.output)
    x = TOKENS[:2]
    expected = model.predict(x, verbose=0)
    blocks[1].quantize("gptq", config=config(hocsau, "gptq", group_size=8))
    assert not blocks[1].is_gptq_calibrated
    np.testing.assert_array_equal(model.predict(x, verbose=0), expected)
    with pytest.warns(UserWarning, match="Embedding"):
        model.quantize("gptq", config=config(hocsau, "gptq", group_size=8),
                       filters=lambda layer: layer is not blocks[1])
    # The filters choose what is calibrated too: the excluded layer keeps its float kernel.
    assert blocks[0].is_gptq_calibrated and not blocks[1].is_gptq_calibrated
    assert np.abs(model.predict(x, verbose=0) - expected).max() < 0.05
