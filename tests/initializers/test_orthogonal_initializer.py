"""Orthogonal: orthogonality for tall, wide and convolution shapes; Keras parity."""

import keras
import numpy as np
import pytest
import torch

from hocsau import initializers


@pytest.mark.parametrize("shape", [(50, 20), (20, 50), (30, 30)])
def test_orthogonality(shape):
    q = initializers.Orthogonal(gain=1.0)(shape).double()
    small = min(shape)
    gram = q.T @ q if shape[0] >= shape[1] else q @ q.T
    torch.testing.assert_close(gram, torch.eye(small, dtype=torch.float64), atol=1e-5, rtol=0)


def test_gain_and_convolution_shape():
    kernel = initializers.Orthogonal(gain=2.0, seed=0)((3, 3, 4, 8))
    assert kernel.shape == (3, 3, 4, 8)
    flat = kernel.reshape(36, 8).double()
    torch.testing.assert_close(flat.T @ flat, 4 * torch.eye(8, dtype=torch.float64),
                               atol=1e-5, rtol=0)


@pytest.mark.parametrize("shape", [(12, 5), (5, 12), (2, 3, 6)])
def test_seeded_values_match_keras(shape):
    ours = initializers.Orthogonal(gain=1.5, seed=21)(shape).numpy()
    theirs = keras.initializers.Orthogonal(gain=1.5, seed=21)(shape)
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(theirs), atol=1e-6)


def test_half_precision():
    q = initializers.Orthogonal(seed=1)((8, 8), dtype="float16")
    assert q.dtype == torch.float16
    torch.testing.assert_close((q.float().T @ q.float()), torch.eye(8), atol=5e-3, rtol=0)


def test_rejects_vectors():
    with pytest.raises(ValueError, match=r"at least two-dimensional. Received: shape=\(4,\)"):
        initializers.Orthogonal()((4,))


def test_config_matches_keras():
    ours = initializers.Orthogonal(gain=0.5, seed=2)
    assert ours.get_config() == {"seed": 2, "gain": 0.5}
    assert ours.get_config() == keras.initializers.Orthogonal(gain=0.5, seed=2).get_config()
    assert initializers.deserialize(initializers.serialize(ours)).gain == 0.5
