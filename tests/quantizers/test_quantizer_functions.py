"""hocsau.quantizers' functions, quantizers, configs and quantized dtype policies against
Keras 3's (same inputs, same outputs; the same serialized forms)."""

import json

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import dtype_policies, quantizers


def keras_numpy(value):
    return keras.ops.convert_to_numpy(value)


@pytest.fixture
def weights():
    return np.random.default_rng(0).normal(size=(6, 5)).astype("float32")


@pytest.mark.parametrize("axis", [0, -1, (0, 1)])
def test_abs_max_quantize_equals_keras(weights, axis):
    ours = quantizers.abs_max_quantize(weights, axis)
    theirs = keras.quantizers.abs_max_quantize(weights, axis)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a.numpy(), keras_numpy(b))
    quantized, scale = quantizers.AbsMaxQuantizer(value_range=(-8, 7))(weights, to_numpy=True)
    k_quantized, k_scale = keras.quantizers.AbsMaxQuantizer(value_range=(-8, 7))(
        weights, to_numpy=True)
    np.testing.assert_array_equal(quantized.numpy(), keras_numpy(k_quantized))
    np.testing.assert_array_equal(scale.numpy(), keras_numpy(k_scale))


def test_grouped_quantization_and_int4_packing_equal_keras(weights):
    ours = quantizers.abs_max_quantize_grouped_with_zero_point(weights, block_size=4,
                                                                to_numpy=True)
    theirs = keras.quantizers.abs_max_quantize_grouped_with_zero_point(weights, block_size=4,
                                                                       to_numpy=True)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.numpy(), keras_numpy(b), rtol=1e-6)
    values = np.array([[-3, 7, 2], [-8, 1, 0], [5, -1, 4]], dtype=np.int8)
    for axis in (0, 1, -1):
        packed, shape, length = quantizers.pack_int4(values, axis=axis)
        k_packed, k_shape, k_length = keras.quantizers.pack_int4(values, axis=axis)
        np.testing.assert_array_equal(packed.numpy(), keras_numpy(k_packed))
        assert (shape, length) == (tuple(k_shape), k_length)
        np.testing.assert_array_equal(quantizers.unpack_int4(packed, length, axis).numpy(),
                                      values)
    with pytest.raises(TypeError, match="Expected int8 tensor for packing, got int32"):
        quantizers.pack_int4(values.astype("int32"))


def test_float8_functions_equal_keras():
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(4, 8)) * 300).astype("float32")
    for dtype in ("float8_e4m3fn", "float8_e5m2"):
        np.testing.assert_array_equal(
            quantizers.quantize_and_dequantize(x, np.float32(0.5), dtype, "float32").numpy(),
            keras_numpy(keras.quantizers.quantize_and_dequantize(x, np.float32(0.5), dtype,
                                                                 "float32")))
    amax = np.array([0.0, 3.0, np.inf], "float32")
    scale = np.array([2.0, 2.0, 2.0], "float32")
    np.testing.assert_array_equal(
        quantizers.compute_float8_scale(amax, scale, 448.0, margin=1).numpy(),
        keras_numpy(keras.quantizers.compute_float8_scale(amax, scale, 448.0, margin=1)))
    history = np.arange(5, dtype="float32")
    np.testing.assert_array_equal(
        quantizers.compute_float8_amax_history(x, history).numpy(),
        keras_numpy(keras.quantizers.compute_float8_amax_history(x, history)))


@pytest.mark.parametrize("axis, narrow", [(None, False), (1, True)])
def test_fake_quant_values_and_gradients_equal_keras(axis, narrow):
    x = np.linspace(-2, 2, 24, dtype="float32").reshape(4, 6)
    low = np.float32(-1.0) if axis is None else np.linspace(-1.5, -0.5, 6, dtype="float32")
    high = np.float32(1.2) if axis is None else np.linspace(0.5, 1.5, 6, dtype="float32")
    inputs = torch.tensor(x, requires_grad=True)
    lows, highs = torch.tensor(low, requires_grad=True), torch.tensor(high, requires_grad=True)
    ours = quantizers.fake_quant_with_min_max_vars(inputs, lows, highs, num_bits=4,
                                                   narrow_range=narrow, axis=axis)
    ours.sum().backward()
    k_inputs = torch.tensor(x, requires_grad=True)
    k_low, k_high = torch.tensor(low, requires_grad=True), torch.tensor(high, requires_grad=True)
    theirs = keras.quantizers.fake_quant_with_min_max_vars(k_inputs, k_low, k_high, num_bits=4,
                                                           narrow_range=narrow, axis=axis)
    theirs.sum().backward()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=1e-6)
    for a, b in ((inputs, k_inputs), (lows, k_low), (highs, k_high)):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())


def test_configs_and_quantizers_serialize_as_keras():
    ours = quantizers.Int8QuantizationConfig(
        weight_quantizer=quantizers.AbsMaxQuantizer(axis=0))
    theirs = keras.quantizers.Int8QuantizationConfig(
        weight_quantizer=keras.quantizers.AbsMaxQuantizer(axis=0))
    ours_config = hocsau.saving.serialize_keras_object(ours)
    assert ours_config == json.loads(json.dumps(keras.saving.serialize_keras_object(theirs)))
    restored = keras.saving.deserialize_keras_object(ours_config)
    assert restored.weight_quantizer.axis == (0,)
    assert hocsau.saving.deserialize_keras_object(ours_config).activation_quantizer.value_range \
        == (-127, 127)
    int4 = quantizers.get({"class_name": "Int4QuantizationConfig", "module": "keras.quantizers",
                           "config": {"block_size": 64}})
    assert (int4.mode, int4.block_size, int4.activation_quantizer) == ("int4", 64, None)
    assert quantizers.get("AbsMaxQuantizer", axis=1).axis == (1,)
    with pytest.raises(ValueError, match="Could not interpret quantizer identifier"):
        quantizers.get("Nope")
    with pytest.raises(ValueError, match="value_range=\\(-8, 7\\)"):
        quantizers.Int4QuantizationConfig(weight_quantizer=quantizers.AbsMaxQuantizer(),
                                          block_size=-1)


@pytest.mark.parametrize("name", ["int8_from_float32", "int8_from_mixed_bfloat16",
                                  "int4/128_from_float32", "float8_from_float32"])
def test_quantized_policies_equal_keras(name):
    ours, theirs = dtype_policies.get(name), keras.dtype_policies.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    assert (ours.name, ours.compute_dtype, ours.variable_dtype, ours.quantization_mode) == (
        theirs.name, theirs.compute_dtype, theirs.variable_dtype, theirs.quantization_mode)
    serialized = hocsau.saving.serialize_keras_object(ours)
    assert serialized == keras.saving.serialize_keras_object(theirs)
    assert dtype_policies.get(serialized) == ours
    assert repr(ours) == repr(theirs)
    with pytest.raises(ValueError, match="Received: policy=int3_from_float32"):
        dtype_policies.get("int3_from_float32")
