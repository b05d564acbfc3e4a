"""CenterCrop against Keras 3: crops, smaller inputs (crop to aspect and resize), layouts."""

import numpy as np
import pytest

from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

IMAGES = np.random.default_rng(1).uniform(0, 1, (2, 7, 9, 3)).astype("float32")


def test_center_crop_layer_test():
    run_layer_test(layers.CenterCrop, {"height": 3, "width": 4}, input_shape=(2, 7, 9, 3),
                   expected_output_shape=(2, 3, 4, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, run_training_check=True)


@pytest.mark.parametrize("size", [(3, 4), (7, 9), (8, 4), (10, 12), (2, 11)])
def test_center_crop_matches_keras(keras_parity, size):
    _, _, out = keras_parity("CenterCrop", {"height": size[0], "width": size[1]}, IMAGES)
    assert out.shape == (2, *size, 3)


def test_center_crop_channels_first_and_single_image(keras_parity):
    kwargs = {"height": 3, "width": 2, "data_format": "channels_first"}
    _, _, out = keras_parity("CenterCrop", kwargs, IMAGES.transpose(0, 3, 1, 2))
    assert out.shape == (2, 3, 3, 2)
    _, _, out = keras_parity("CenterCrop", {"height": 5, "width": 5}, IMAGES[0])
    assert out.shape == (5, 5, 3)


def test_center_crop_picks_the_middle():
    x = np.arange(25, dtype="float32").reshape(1, 5, 5, 1)
    out = layers.CenterCrop(1, 1)(x)
    assert out.numpy().item() == 12.0


def test_center_crop_rejects_bad_size():
    with pytest.raises(ValueError, match="`width` must be a positive integer. Received: width=-1"):
        layers.CenterCrop(2, -1)
