"""ActivityRegularization against Keras 3: identity output, the same penalty in `losses`."""

import numpy as np
import pytest
import torch

from hocsau import layers
from hocsau.testing import run_layer_test


@pytest.mark.parametrize("l1, l2", [(0.01, 0.0), (0.0, 0.02), (0.1, 0.3)])
def test_penalty_matches_keras(keras_parity, rng, l1, l2):
    x = rng.normal(size=(4, 5)).astype("float32")
    keras = pytest.importorskip("keras")
    ours, theirs, out = keras_parity("ActivityRegularization", {"l1": l1, "l2": l2}, x)
    np.testing.assert_array_equal(out, x)
    expected = float(keras.ops.convert_to_numpy(theirs.losses[0]))
    assert len(ours.losses) == 1
    np.testing.assert_allclose(float(ours.losses[0]), expected, rtol=1e-5)
    np.testing.assert_allclose(expected, (l1 * np.abs(x).sum() + l2 * (x**2).sum()) / 4,
                               rtol=1e-5)


def test_config_has_the_factors_and_no_regularizer():
    config = layers.ActivityRegularization(l1=0.5).get_config()
    assert (config["l1"], config["l2"]) == (0.5, 0.0)
    assert "activity_regularizer" not in config


def test_losses_follow_the_last_call():
    layer = layers.ActivityRegularization(l2=1.0)
    layer(torch.ones(2, 3))
    layer(torch.full((2, 3), 2.0))
    assert len(layer.losses) == 1 and float(layer.losses[0]) == pytest.approx(12.0)


def test_activity_regularization_layer_contract():
    run_layer_test(layers.ActivityRegularization, {"l1": 0.1}, input_shape=(2, 3),
                   expected_output_shape=(2, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, supports_masking=True,
                   expected_num_losses=1)
