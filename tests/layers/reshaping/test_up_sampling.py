"""UpSampling1D/2D/3D against Keras 3: sizes, data formats, nearest / bilinear / bicubic."""

import itertools

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

FORMATS = ["channels_last", "channels_first"]


def _data(shape, data_format):
    x = np.random.default_rng(len(shape)).normal(size=shape).astype("float32")
    return x if data_format == "channels_last" else np.moveaxis(x, -1, 1)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_up_sampling1d_matches_keras(keras_parity, size):
    _, _, out = keras_parity("UpSampling1D", {"size": size}, _data((2, 5, 3), "channels_last"))
    assert out.shape == (2, 5 * size, 3)


@pytest.mark.parametrize("size,data_format,interpolation", list(itertools.product(
    [2, (2, 3), (3, 1)], FORMATS, ["nearest", "bilinear", "bicubic"])))
def test_up_sampling2d_matches_keras(keras_parity, size, data_format, interpolation):
    x = _data((2, 5, 4, 3), data_format)
    _, _, out = keras_parity("UpSampling2D", {"size": size, "data_format": data_format,
                                              "interpolation": interpolation}, x)
    factors = (size, size) if isinstance(size, int) else size
    spatial = (5 * factors[0], 4 * factors[1])
    assert out.shape == ((2, *spatial, 3) if data_format == "channels_last" else (2, 3, *spatial))


@pytest.mark.parametrize("size,data_format", list(itertools.product([2, (1, 2, 3)], FORMATS)))
def test_up_sampling3d_matches_keras(keras_parity, size, data_format):
    _, _, out = keras_parity("UpSampling3D", {"size": size, "data_format": data_format},
                             _data((2, 3, 2, 4, 3), data_format))
    assert out.size == 2 * 3 * 2 * 4 * 3 * (8 if size == 2 else 6)


@pytest.mark.parametrize("cls,kwargs,shape,expected", [
    (layers.UpSampling1D, {"size": 3}, (2, 4, 3), (2, 12, 3)),
    (layers.UpSampling2D, {"interpolation": "bilinear"}, (2, 3, 4, 2), (2, 6, 8, 2)),
    (layers.UpSampling2D, {"size": (1, 2)}, (2, 3, 4, 2), (2, 3, 8, 2)),
    (layers.UpSampling3D, {"data_format": "channels_first"}, (2, 2, 3, 1, 2), (2, 2, 6, 2, 4)),
])
def test_run_layer_test(cls, kwargs, shape, expected):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=expected,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   run_training_check=True)


def test_bilinear_output_is_channels_last_contiguous():
    out = layers.UpSampling2D(interpolation="bilinear")(torch.randn(2, 3, 4, 5))
    assert out.shape == (2, 6, 8, 5) and out.is_contiguous()


def test_symbolic_unknown_axes():
    out = layers.UpSampling2D((2, 3))(hocsau.Input(shape=(None, 4, 3)))
    assert out.shape == (None, None, 12, 3)


def test_config():
    config = layers.UpSampling2D(3, interpolation="BILINEAR").get_config()
    assert (config["size"], config["interpolation"]) == ((3, 3), "bilinear")
    assert layers.UpSampling1D(4).get_config()["size"] == 4
    assert layers.UpSampling3D().get_config()["size"] == (2, 2, 2)


def test_errors():
    with pytest.raises(ValueError, match="Received: size=0"):
        layers.UpSampling1D(0)
    with pytest.raises(ValueError, match="Received: interpolation=lanczos3"):
        layers.UpSampling2D(interpolation="lanczos3")
    with pytest.raises(ValueError, match="The `size` argument must be a tuple of 3 integers"):
        layers.UpSampling3D((2, 2))
    with pytest.raises(ValueError, match='layer "up" is incompatible.*expected ndim=4'):
        layers.UpSampling2D(name="up")(hocsau.Input(shape=(4, 3)))
