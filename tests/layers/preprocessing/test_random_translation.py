"""RandomTranslation against Keras 3 with fixed shifts, each fill mode and interpolation."""

import numpy as np
import pytest

from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

IMAGES = np.random.default_rng(6).uniform(0, 1, (2, 5, 6, 2)).astype("float32")


def test_random_translation_layer_test():
    run_layer_test(layers.RandomTranslation, {"height_factor": 0.2, "width_factor": 0.3,
                                              "seed": 1},
                   input_shape=(2, 5, 6, 3), expected_output_shape=(2, 5, 6, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   run_training_check=True)


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_random_translation_fixed_shift_matches_keras(keras_parity, fill_mode, interpolation):
    kwargs = {"height_factor": (0.3, 0.3), "width_factor": (-0.25, -0.25),
              "fill_mode": fill_mode, "interpolation": interpolation, "fill_value": 0.5}
    _, _, out = keras_parity("RandomTranslation", kwargs, IMAGES, training=True)
    assert out.shape == IMAGES.shape


def test_random_translation_channels_first_single_image_matches_keras(keras_parity):
    kwargs = {"height_factor": (-0.2, -0.2), "width_factor": (0.5, 0.5),
              "data_format": "channels_first"}
    image = IMAGES[0].transpose(2, 0, 1)
    _, _, out = keras_parity("RandomTranslation", kwargs, image, training=True)
    assert out.shape == image.shape


def test_random_translation_whole_pixels_move_content():
    x = np.arange(25, dtype="float32").reshape(1, 5, 5, 1)
    layer = layers.RandomTranslation((0.2, 0.2), (0.0, 0.0), fill_mode="constant")
    out = layer(x, training=True).numpy()
    np.testing.assert_allclose(out[0, 1:, :, 0], x[0, :4, :, 0], atol=1e-4)
    np.testing.assert_allclose(out[0, 0, :, 0], 0.0)


def test_random_translation_inference_matches_keras(keras_parity):
    _, _, out = keras_parity("RandomTranslation", {"height_factor": 0.5, "width_factor": 0.5},
                             IMAGES, training=False)
    np.testing.assert_array_equal(out, IMAGES)


@pytest.mark.parametrize("kwargs, message", [
    ({"height_factor": 1.5, "width_factor": 0.1}, "Received: height_factor=1.5"),
    ({"height_factor": 0.1, "width_factor": (0.1,)}, "Received: width_factor=\\(0.1,\\)"),
    ({"height_factor": 0.1, "width_factor": 0.1, "fill_mode": "mirror"},
     "Received: fill_mode='mirror'"),
    ({"height_factor": 0.1, "width_factor": 0.1, "interpolation": "bicubic"},
     "Received: interpolation='bicubic'"),
])
def test_random_translation_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.RandomTranslation(**kwargs)
