"""RandomBrightness: parity with Keras for a fixed delta, inference identity, clipping,
value_range checks."""

import numpy as np
import pytest

from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

IMAGES = np.random.default_rng(5).uniform(0, 255, (3, 4, 5, 3)).astype("float32")


def test_random_brightness_layer_test():
    run_layer_test(layers.RandomBrightness, {"factor": 0.2, "seed": 1}, input_shape=(2, 4, 5, 3),
                   expected_output_shape=(2, 4, 5, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, run_training_check=True)


@pytest.mark.parametrize("kwargs", [{"factor": (0.1, 0.1)}, {"factor": (-0.3, -0.3)},
                                    {"factor": (0.2, 0.2), "value_range": (0.0, 1.0)}])
def test_random_brightness_fixed_delta_matches_keras(keras_parity, kwargs):
    x = IMAGES / 255.0 if kwargs.get("value_range") else IMAGES
    _, _, out = keras_parity("RandomBrightness", kwargs, x, training=True)
    assert out.shape == IMAGES.shape


def test_random_brightness_inference_matches_keras(keras_parity):
    ours, theirs, out = keras_parity("RandomBrightness", {"factor": 0.4}, IMAGES[0],
                                     training=False)
    np.testing.assert_array_equal(out, IMAGES[0])
    assert tuple(ours.get_config()["factor"]) == tuple(theirs.get_config()["factor"])


def test_random_brightness_shifts_each_image_uniformly():
    out = layers.RandomBrightness(0.5, value_range=(-1000, 1000), seed=2)(
        IMAGES, training=True).numpy()
    delta = out - IMAGES
    np.testing.assert_allclose(delta, delta[:, :1, :1, :1] + 0 * delta, atol=1e-3)
    assert np.all(np.abs(delta[:, 0, 0, 0]) <= 1000.0) and len(set(delta[:, 0, 0, 0])) == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"factor": 1.2}, "Received: factor=1.2"),
    ({"factor": 0.1, "value_range": (0, 1, 2)}, "Received: value_range=\\(0, 1, 2\\)"),
])
def test_random_brightness_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.RandomBrightness(**kwargs)
