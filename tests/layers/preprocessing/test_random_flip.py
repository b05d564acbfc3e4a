"""RandomFlip: inference identity as Keras, flips are exact mirrors, per-image draws."""

import numpy as np
import pytest

from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

IMAGES = np.random.default_rng(3).uniform(0, 1, (8, 4, 5, 2)).astype("float32")


def test_random_flip_layer_test():
    run_layer_test(layers.RandomFlip, {"seed": 1}, input_shape=(2, 4, 5, 3),
                   expected_output_shape=(2, 4, 5, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, run_training_check=True)


@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
def test_random_flip_inference_matches_keras(keras_parity, mode):
    _, _, out = keras_parity("RandomFlip", {"mode": mode}, IMAGES, training=False)
    np.testing.assert_array_equal(out, IMAGES)


@pytest.mark.parametrize("mode, axes", [("horizontal", (2,)), ("vertical", (1,)),
                                        ("horizontal_and_vertical", (1, 2))])
def test_random_flip_gives_each_image_or_its_mirror(mode, axes):
    out = layers.RandomFlip(mode, seed=5)(IMAGES, training=True).numpy()
    flipped = [not np.array_equal(o, x) for o, x in zip(out, IMAGES, strict=True)]
    for o, x, was_flipped in zip(out, IMAGES, flipped, strict=True):
        np.testing.assert_array_equal(o, np.flip(x, tuple(a - 1 for a in axes)) if was_flipped
                                      else x)
    assert 0 < sum(flipped) < len(IMAGES)


def test_random_flip_single_image_channels_first():
    image = IMAGES[0].transpose(2, 0, 1)
    layer = layers.RandomFlip("horizontal", seed=0, data_format="channels_first")
    outs = [layer(image, training=True).numpy() for _ in range(8)]
    assert {np.array_equal(o, image[:, :, ::-1]) for o in outs} == {True, False}
    assert all(np.array_equal(o, image) or np.array_equal(o, image[:, :, ::-1]) for o in outs)


def test_random_flip_rejects_bad_mode():
    with pytest.raises(ValueError, match="Received: mode='diagonal'"):
        layers.RandomFlip("diagonal")
