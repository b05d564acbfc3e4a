"""Weights that cannot be made or set say why, naming the layer and weight: an allocation
beyond memory, complex or string values for a real weight. Valid cases pass untouched."""

import numpy as np
import pytest
import torch

import hocsau as keras
from hocsau import layers


def test_a_weight_beyond_memory_names_the_layer_and_its_size():
    with pytest.raises(ValueError, match=r"Layer 'wide' cannot create its weight 'kernel' of "
                                         r"shape \(3, 1099511627776\) and dtype float32: 12 TiB "
                                         r"do not fit in memory.*Received: shape=\(3, "):
        layers.Dense(2**40, name="wide").build((None, 3))


@pytest.mark.parametrize("failure", [
    RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 103 GB"),
    torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 96.00 GiB"),
    MemoryError("Unable to allocate 96.0 GiB for an array"),
])
def test_each_allocator_failure_is_reported_with_the_size(failure):
    def allocate(shape, dtype=None):  # 48 GiB would fit on some machines: fail as elsewhere
        raise failure

    with pytest.raises(ValueError, match=r"weight 'kernel' of shape \(3, 8589934592\) and "
                                         r"dtype bfloat16: 48 GiB do not fit in memory"):
        layers.Dense(2**33, dtype="bfloat16", kernel_initializer=allocate).build((None, 3))


def test_other_errors_while_creating_a_weight_pass_through():
    def broken_initializer(shape, dtype=None):
        raise RuntimeError("the initializer's own bug")

    with pytest.raises(RuntimeError, match="the initializer's own bug"):
        layers.Dense(2, kernel_initializer=broken_initializer).build((None, 3))


def test_real_weights_refuse_complex_and_string_values_and_stay_unchanged():
    layer = layers.Dense(2, name="d")
    layer.build((None, 3))
    before = layer.get_weights()
    with pytest.raises(TypeError, match=r"Layer 'd' weight 'd/kernel' has dtype float32, but "
                                        r"was given complex values"):
        layer.set_weights([before[0] + 1j, before[1]])
    with pytest.raises(TypeError, match="non-numeric values"):
        layer.kernel.assign(np.full((3, 2), "x"))
    for now, then in zip(layer.get_weights(), before, strict=True):
        np.testing.assert_array_equal(now, then)


def test_numeric_values_of_other_dtypes_and_complex_weights_still_assign():
    layer = layers.Dense(2)
    layer.build((None, 3))
    layer.set_weights([np.ones((3, 2), "float64"), np.arange(2)])  # cast as in Keras
    np.testing.assert_array_equal(layer.bias.numpy(), [0.0, 1.0])
    complex_weight = keras.Variable(np.zeros(2, np.complex64))
    complex_weight.assign(np.array([1 + 2j, 3j]))
    complex_weight.assign_add(torch.tensor([1j, 1j]))
    np.testing.assert_array_equal(complex_weight.numpy(), [1 + 3j, 4j])
