"""Softmax against Keras 3: axes, boolean and numeric masks, mask checks."""

import numpy as np
import pytest
import torch

from hocsau import layers
from hocsau.testing import run_layer_test


@pytest.mark.parametrize("axis", [-1, 1, (1, 2), [1, 2]])
def test_softmax_matches_keras(keras_parity, rng, axis):
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    ours, _, out = keras_parity("Softmax", {"axis": axis}, x)
    summed = out.sum(axis=tuple(axis) if isinstance(axis, list) else axis)
    np.testing.assert_allclose(summed, 1.0, rtol=1e-5)
    assert ours.get_config()["axis"] == axis


@pytest.mark.parametrize("mask_dtype", ["bool", "float32"])
def test_masked_softmax_matches_keras(rng, mask_dtype):
    keras = pytest.importorskip("keras")
    x = rng.normal(size=(2, 3, 5)).astype("float32")
    mask = (rng.uniform(size=(2, 1, 5)) > 0.4).astype(mask_dtype)
    mask[..., 0] = 1
    expected = keras.ops.convert_to_numpy(keras.layers.Softmax()(x, mask=mask))
    out = layers.Softmax()(torch.from_numpy(x), mask=torch.from_numpy(mask)).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-7)
    assert np.all(out[np.broadcast_to(mask == 0, out.shape)] == 0)


def test_mask_attached_to_the_input_is_used():
    x = torch.zeros(1, 4)
    x._keras_mask = torch.tensor([[True, True, False, False]])
    out = layers.Softmax()(x)
    np.testing.assert_allclose(out.numpy(), [[0.5, 0.5, 0.0, 0.0]])


def test_mask_that_does_not_broadcast_is_refused():
    with pytest.raises(ValueError, match=r"Each mask dimension must be 1 or match"):
        layers.Softmax()(torch.zeros(2, 4), mask=torch.ones(2, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match="must not have more dimensions"):
        layers.Softmax()(torch.zeros(4), mask=torch.ones(1, 4, dtype=torch.bool))


def test_softmax_layer_contract():
    run_layer_test(layers.Softmax, {"axis": 1}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, supports_masking=True)
