"""Resizing against Keras 3 (torch backend): each interpolation, antialias, aspect options,
channels_first, single images, integer images; shapes, config and errors."""

import numpy as np
import pytest

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

IMAGES = np.random.default_rng(0).uniform(0, 255, (2, 7, 9, 3)).astype("float32")


def test_resizing_layer_test():
    run_layer_test(layers.Resizing, {"height": 4, "width": 5}, input_shape=(2, 7, 9, 3),
                   expected_output_shape=(2, 4, 5, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, run_training_check=True)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("options", [{}, {"crop_to_aspect_ratio": True},
                                     {"pad_to_aspect_ratio": True, "fill_value": 3.0},
                                     {"antialias": True}])
@pytest.mark.parametrize("size", [(4, 5), (10, 6)])
def test_resizing_matches_keras(keras_parity, interpolation, options, size):
    kwargs = {"height": size[0], "width": size[1], "interpolation": interpolation, **options}
    _, _, out = keras_parity("Resizing", kwargs, IMAGES)
    assert out.shape == (2, *size, 3)


def test_resizing_channels_first_and_single_image_match_keras(keras_parity):
    kwargs = {"height": 4, "width": 3, "data_format": "channels_first"}
    _, _, out = keras_parity("Resizing", kwargs, IMAGES.transpose(0, 3, 1, 2))
    assert out.shape == (2, 3, 4, 3)
    _, _, out = keras_parity("Resizing", {"height": 4, "width": 3}, IMAGES[0])
    assert out.shape == (4, 3, 3)


def test_resizing_keeps_integer_dtype_like_keras():
    keras = pytest.importorskip("keras")
    x = IMAGES.astype("uint8")
    expected = keras.ops.convert_to_numpy(keras.layers.Resizing(4, 5)(x))
    out = layers.Resizing(4, 5)(x)
    assert str(out.dtype) == "torch.uint8"
    np.testing.assert_array_equal(out.numpy(), expected)


def test_resizing_lanczos_shape_and_constant_image():
    out = layers.Resizing(4, 5, interpolation="lanczos3")(np.full((1, 7, 9, 2), 5.0, "float32"))
    np.testing.assert_allclose(out.numpy(), 5.0, rtol=1e-5)


def test_resizing_in_sequential_model():
    model = hocsau.Sequential([hocsau.Input((7, 9, 3)), layers.Resizing(4, 5),
                               layers.Rescaling(1 / 255.0)])
    assert model.output_shape == (None, 4, 5, 3)
    assert tuple(model.predict(IMAGES, verbose=0).shape) == (2, 4, 5, 3)


@pytest.mark.parametrize("kwargs, message", [
    ({"height": 0, "width": 2}, "`height` must be a positive integer. Received: height=0"),
    ({"height": 2, "width": 2, "interpolation": "area"}, "Received: interpolation='area'"),
    ({"height": 2, "width": 2, "crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True},
     "Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio`"),
    ({"height": 2, "width": 2, "fill_mode": "reflect"}, "Received: fill_mode='reflect'"),
])
def test_resizing_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Resizing(**kwargs)
