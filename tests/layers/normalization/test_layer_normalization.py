"""LayerNormalization against Keras 3."""

import warnings

import numpy as np
import pytest
import torch

from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("kwargs, shape", [
    ({}, (4, 6)), ({"axis": [1, 2]}, (2, 3, 4)), ({"axis": -1, "epsilon": 1e-5}, (2, 3, 4)),
    ({"center": False, "epsilon": 0.1}, (3, 5)), ({"scale": False}, (2, 3, 4)),
    ({"rms_scaling": True}, (3, 5)),
])
def test_parity(kwargs, shape):
    x = (np.random.default_rng(0).normal(size=shape) * 2 + 1).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rms_scaling is deprecated in both libraries
        theirs = keras.layers.LayerNormalization(**kwargs)
        theirs(x)
        weights = [w + 0.3 * np.cos(np.arange(w.size)).reshape(w.shape).astype("float32")
                   for w in theirs.get_weights()]
        theirs.set_weights(weights)
        expected = keras.ops.convert_to_numpy(theirs(x))
        ours = layers.LayerNormalization(**kwargs)
        ours(torch.from_numpy(x))
        ours.set_weights(weights)
        actual = ours(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)
    assert set(ours.get_config()) == set(theirs.get_config())


def test_layer_test_and_errors():
    run_layer_test(layers.LayerNormalization, {}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=2,
                   supports_masking=True, run_training_check=True)
    with pytest.raises(ValueError, match="Axis 4 is out of bounds"):
        layers.LayerNormalization(axis=4)(torch.ones(2, 3))
