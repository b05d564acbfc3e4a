"""RandomZoom against Keras 3 with fixed zooms (in, out, per axis), each fill mode."""

import numpy as np
import pytest

from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

IMAGES = np.random.default_rng(7).uniform(0, 1, (2, 6, 5, 2)).astype("float32")


def test_random_zoom_layer_test():
    run_layer_test(layers.RandomZoom, {"height_factor": 0.2, "seed": 1},
                   input_shape=(2, 5, 6, 3), expected_output_shape=(2, 5, 6, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   run_training_check=True)


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("factors", [((0.4, 0.4), None), ((-0.3, -0.3), (0.2, 0.2))])
def test_random_zoom_fixed_factor_matches_keras(keras_parity, fill_mode, factors):
    kwargs = {"height_factor": factors[0], "width_factor": factors[1], "fill_mode": fill_mode}
    _, _, out = keras_parity("RandomZoom", kwargs, IMAGES, training=True)
    assert out.shape == IMAGES.shape


def test_random_zoom_nearest_channels_first_single_image_matches_keras(keras_parity):
    kwargs = {"height_factor": (-0.5, -0.5), "interpolation": "nearest",
              "data_format": "channels_first"}
    image = IMAGES[0].transpose(2, 0, 1)
    _, _, out = keras_parity("RandomZoom", kwargs, image, training=True)
    assert out.shape == image.shape


def test_random_zoom_inference_matches_keras(keras_parity):
    _, _, out = keras_parity("RandomZoom", {"height_factor": 0.5}, IMAGES, training=False)
    np.testing.assert_array_equal(out, IMAGES)


def test_random_zoom_rejects_bad_factor():
    with pytest.raises(ValueError, match="Received: height_factor=-2"):
        layers.RandomZoom(-2)
