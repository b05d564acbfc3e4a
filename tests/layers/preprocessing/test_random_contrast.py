"""RandomContrast: Keras's factor range and config, inference identity, the contrast formula
with a fixed draw, clipping to value_range."""

import numpy as np
import pytest
import torch

from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

IMAGES = np.random.default_rng(4).uniform(0, 255, (3, 4, 5, 3)).astype("float32")


def test_random_contrast_layer_test():
    run_layer_test(layers.RandomContrast, {"factor": 0.5, "seed": 1}, input_shape=(2, 4, 5, 3),
                   expected_output_shape=(2, 4, 5, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, run_training_check=True)


@pytest.mark.parametrize("factor", [0.3, (0.2, 0.6)])
def test_random_contrast_inference_and_config_match_keras(keras_parity, factor):
    ours, theirs, out = keras_parity("RandomContrast", {"factor": factor}, IMAGES,
                                     training=False)
    assert tuple(ours.get_config()["factor"]) == tuple(theirs.get_config()["factor"])
    np.testing.assert_array_equal(out, IMAGES)


def test_random_contrast_zero_factor_matches_keras(keras_parity):
    _, _, out = keras_parity("RandomContrast", {"factor": 0.0}, IMAGES, training=True)
    np.testing.assert_allclose(out, IMAGES, rtol=1e-5)


def test_random_contrast_formula_with_fixed_draw(monkeypatch):
    layer = layers.RandomContrast((0.5, 0.5), value_range=(0, 255))
    monkeypatch.setattr(layer, "_per_image", lambda images, low, high: torch.full(
        (images.shape[0], 1, 1, 1), 1.5))
    mean = IMAGES.mean(axis=(1, 2), keepdims=True)
    expected = np.clip((IMAGES - mean) * 1.5 + mean, 0, 255)
    np.testing.assert_allclose(layer(IMAGES, training=True).numpy(), expected, rtol=1e-5)


def test_random_contrast_draws_within_range():
    out = layers.RandomContrast((0.5, 0.5), seed=3)(IMAGES, training=True).numpy()
    mean = IMAGES.mean(axis=(1, 2), keepdims=True)
    ratio = (out - mean)[..., 0] / (IMAGES - mean)[..., 0]
    clipped = (out[..., 0] == 0) | (out[..., 0] == 255)
    kept = np.where(clipped, np.nan, ratio)
    assert np.all(np.nanmin(kept, axis=(1, 2)) >= 0.5 - 1e-4)
    assert np.all(np.nanmax(kept, axis=(1, 2)) <= 1.5 + 1e-4)
    assert out.min() >= 0 and out.max() <= 255


def test_random_contrast_rejects_bad_factor():
    with pytest.raises(ValueError, match="in the range \\[0, 1\\]. Received: factor=1.5"):
        layers.RandomContrast(1.5)
