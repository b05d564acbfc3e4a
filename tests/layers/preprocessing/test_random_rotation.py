"""RandomRotation against Keras 3 with fixed angles, each fill mode and interpolation."""

import numpy as np
import pytest

from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

IMAGES = np.random.default_rng(8).uniform(0, 1, (2, 5, 7, 2)).astype("float32")


def test_random_rotation_layer_test():
    run_layer_test(layers.RandomRotation, {"factor": 0.2, "seed": 1},
                   input_shape=(2, 5, 6, 3), expected_output_shape=(2, 5, 6, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   run_training_check=True)


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_random_rotation_fixed_angle_matches_keras(keras_parity, fill_mode, interpolation):
    kwargs = {"factor": (0.1, 0.1), "fill_mode": fill_mode, "interpolation": interpolation,
              "fill_value": 1.0}
    ours, theirs, out = keras_parity("RandomRotation", kwargs, IMAGES, training=True)
    assert tuple(ours.get_config()["factor"]) == tuple(theirs.get_config()["factor"])


def test_random_rotation_channels_first_single_image_matches_keras(keras_parity):
    image = IMAGES[0].transpose(2, 0, 1)
    kwargs = {"factor": (-0.3, -0.3), "data_format": "channels_first"}
    _, _, out = keras_parity("RandomRotation", kwargs, image, training=True)
    assert out.shape == image.shape


def test_random_rotation_half_turn_reverses_square_image():
    x = np.arange(9, dtype="float32").reshape(3, 3, 1)
    out = layers.RandomRotation((0.5, 0.5))(x, training=True).numpy()
    np.testing.assert_allclose(out, x[::-1, ::-1], atol=1e-4)


def test_random_rotation_inference_matches_keras(keras_parity):
    _, _, out = keras_parity("RandomRotation", {"factor": 0.5}, IMAGES, training=False)
    np.testing.assert_array_equal(out, IMAGES)


def test_random_rotation_factor_rules_follow_keras():
    # As Keras: a number must lie in [-1, 1]; a pair only has to overlap that range.
    assert layers.RandomRotation([0.1, 2]).factor == (0.1, 2)
    with pytest.raises(ValueError, match="in the range \\[-1.0, 1.0\\]. Received: factor=2"):
        layers.RandomRotation(2)
    with pytest.raises(ValueError, match="Received: factor=\\[1.5, 2\\]"):
        layers.RandomRotation([1.5, 2])
