"""RandomCrop: random windows while training, center crop-and-resize otherwise."""

import numpy as np
import pytest

from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

IMAGES = np.arange(2 * 6 * 7 * 1, dtype="float32").reshape(2, 6, 7, 1)


def test_random_crop_layer_test():
    run_layer_test(layers.RandomCrop, {"height": 3, "width": 4, "seed": 1},
                   input_shape=(2, 6, 7, 3), expected_output_shape=(2, 3, 4, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   run_training_check=True)


def test_random_crop_training_takes_a_window_of_the_input():
    layer = layers.RandomCrop(3, 4, seed=0)
    starts = set()
    for _ in range(20):
        out = layer(IMAGES, training=True).numpy()
        top, left = divmod(int(out[0, 0, 0, 0]), 7)
        np.testing.assert_array_equal(out, IMAGES[:, top:top + 3, left:left + 4])
        starts.add((top, left))
    assert len(starts) > 3 and all(t <= 3 and l <= 3 for t, l in starts)


def test_random_crop_inference_is_keras_center_crop_to_aspect_and_resize():
    keras = pytest.importorskip("keras")
    # Keras 3.15's RandomCrop returns inference inputs unchanged (its documented behaviour
    # is this center crop and resize, which Resizing with crop_to_aspect_ratio computes).
    expected = keras.layers.Resizing(3, 4, crop_to_aspect_ratio=True)(IMAGES)
    out = layers.RandomCrop(3, 4)(IMAGES, training=False).numpy()
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(expected), rtol=1e-5)


def test_random_crop_small_images_are_resized_even_in_training():
    out = layers.RandomCrop(8, 8)(IMAGES[0], training=True)
    assert tuple(out.shape) == (8, 8, 1)


def test_random_crop_channels_first_symbolic_shape():
    import hocsau

    layer = layers.RandomCrop(3, 4, data_format="channels_first")
    assert layer(hocsau.Input((2, 6, 7))).shape == (None, 2, 3, 4)


def test_random_crop_rejects_bad_size():
    with pytest.raises(ValueError, match="Received: height=2.5"):
        layers.RandomCrop(2.5, 3)
