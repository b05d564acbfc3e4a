"""Cropping1D/2D/3D against Keras 3: int, tuple and tuple-of-tuples cropping, data formats."""

import itertools

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

FORMATS = ["channels_last", "channels_first"]
CROPS = {2: [1, (1, 0), ((1, 2), (0, 3))], 3: [1, (0, 1, 2), ((1, 0), (0, 2), (2, 1))]}
CASES = [(rank, crop, fmt) for rank in (2, 3) for crop, fmt in
         itertools.product(CROPS[rank], FORMATS)]


@pytest.mark.parametrize("cropping", [1, (0, 2), (3, 0), (2, 1)])
def test_cropping1d_matches_keras(keras_parity, cropping):
    x = np.random.default_rng(1).normal(size=(2, 6, 3)).astype("float32")
    ours, theirs, out = keras_parity("Cropping1D", {"cropping": cropping}, x)
    assert out.shape[1] == 6 - sum(ours.cropping) and ours.get_config() == {
        **theirs.get_config(), "name": ours.name}


@pytest.mark.parametrize("rank,cropping,data_format", CASES)
def test_cropping_matches_keras(keras_parity, rank, cropping, data_format):
    x = np.random.default_rng(rank).normal(size=(2, *(5,) * rank, 2)).astype("float32")
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
    ours, theirs, _ = keras_parity(f"Cropping{rank}D",
                                   {"cropping": cropping, "data_format": data_format}, x)
    assert ours.get_config()["cropping"] == theirs.get_config()["cropping"]


@pytest.mark.parametrize("cls,kwargs,shape,expected", [
    (layers.Cropping1D, {}, (2, 4, 3), (2, 2, 3)),
    (layers.Cropping2D, {"cropping": ((1, 0), (1, 2))}, (2, 3, 4, 2), (2, 2, 1, 2)),
    (layers.Cropping3D, {"data_format": "channels_first"}, (2, 2, 3, 4, 5), (2, 2, 1, 2, 3)),
])
def test_run_layer_test(cls, kwargs, shape, expected):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=expected,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   run_training_check=True)


def test_result_is_a_view():
    x = torch.randn(2, 5, 5, 3)
    out = layers.Cropping2D(1)(x)
    assert out.shape == (2, 3, 3, 3) and out.data_ptr() == x[:, 1:, 1:].data_ptr()


def test_symbolic_shape():
    out = layers.Cropping2D(((1, 2), (0, 1)))(hocsau.Input(shape=(None, 6, 3)))
    assert out.shape == (None, None, 5, 3)


def test_errors():
    with pytest.raises(ValueError, match="`cropping` cannot be negative. Received: cropping=-1"):
        layers.Cropping2D(-1)
    with pytest.raises(ValueError, match="should be an int, a tuple of 3 ints"):
        layers.Cropping3D((1, 1))
    with pytest.raises(ValueError, match="'crop' should be smaller than the corresponding"):
        layers.Cropping2D(2, name="crop")(hocsau.Input(shape=(4, 6, 1)))
    with pytest.raises(ValueError, match="smaller than the corresponding.*cropping=\\(3, 3\\)"):
        layers.Cropping1D(3)(np.zeros((1, 6, 2), "float32"))
