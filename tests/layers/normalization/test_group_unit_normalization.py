"""GroupNormalization and UnitNormalization against Keras 3."""

import numpy as np
import pytest
import torch

from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("kwargs, shape", [
    ({"groups": 2}, (2, 5, 4)), ({"groups": 4, "axis": 1}, (2, 8, 3, 3)),
    ({"groups": 1, "center": False}, (3, 6)), ({"groups": 3, "scale": False}, (2, 4, 4, 6)),
])
def test_group_normalization_parity(kwargs, shape):
    x = (np.random.default_rng(0).normal(size=shape) * 3 + 2).astype("float32")
    theirs = keras.layers.GroupNormalization(**kwargs)
    theirs(x)
    weights = [w + 0.4 * np.sin(np.arange(w.size)).reshape(w.shape).astype("float32")
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours = layers.GroupNormalization(**kwargs)
    ours(torch.from_numpy(x))
    ours.set_weights(weights)
    np.testing.assert_allclose(ours(torch.from_numpy(x)).detach().numpy(),
                               keras.ops.convert_to_numpy(theirs(x)), rtol=1e-5, atol=1e-5)
    assert set(ours.get_config()) == set(theirs.get_config())


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_unit_normalization_parity(axis):
    x = np.random.default_rng(1).normal(size=(2, 3, 4)).astype("float32")
    x[0, 0] = 0.0
    theirs = keras.ops.convert_to_numpy(keras.layers.UnitNormalization(axis=axis)(x))
    ours = layers.UnitNormalization(axis=axis)(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


def test_layer_tests_and_errors():
    run_layer_test(layers.GroupNormalization, {"groups": 2}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=2,
                   run_training_check=True)
    run_layer_test(layers.UnitNormalization, {}, input_shape=(2, 3),
                   expected_output_shape=(2, 3), expected_num_trainable_weights=0)
    with pytest.raises(ValueError, match="cannot be more than the number of channels"):
        layers.GroupNormalization(groups=8)(torch.ones(2, 4))
    with pytest.raises(ValueError, match="must be a multiple"):
        layers.GroupNormalization(groups=3)(torch.ones(2, 4))
    with pytest.raises(TypeError, match="axis=x"):
        layers.UnitNormalization(axis="x")


def test_group_normalization_float64_statistics():
    # float64 inputs are normalized in float64 (half precision alone is reduced in float32).
    x = np.random.default_rng(0).standard_normal((2, 3, 4)) * 1e3 + 1e4
    layer = layers.GroupNormalization(groups=2, dtype="float64")
    out = layer(torch.as_tensor(x)).detach().numpy()
    grouped = x.reshape(2, 3, 2, 2)
    mean = grouped.mean(axis=(1, 3), keepdims=True)
    expected = ((grouped - mean) / np.sqrt(grouped.var(axis=(1, 3), keepdims=True) + 1e-3))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, expected.reshape(x.shape), rtol=1e-12, atol=1e-12)
