"""ZeroPadding1D/2D/3D against Keras 3: int, tuple and tuple-of-tuples padding, data formats."""

import itertools
import json

import numpy as np
import pytest

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

FORMATS = ["channels_last", "channels_first"]
PADDINGS = {1: [1, (0, 2), (3, 1)], 2: [2, (1, 0), ((1, 2), (0, 3))],
            3: [1, (0, 1, 2), ((1, 0), (0, 2), (2, 1))]}
CASES = [(rank, padding, fmt) for rank in (1, 2, 3) for padding, fmt in
         itertools.product(PADDINGS[rank], FORMATS)]


@pytest.mark.parametrize("rank,padding,data_format", CASES)
def test_zero_padding_matches_keras(keras_parity, rank, padding, data_format):
    x = np.random.default_rng(rank).normal(size=(2, *(3,) * rank, 2)).astype("float32")
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
    ours, theirs, out = keras_parity(f"ZeroPadding{rank}D",
                                     {"padding": padding, "data_format": data_format}, x)
    assert ours.get_config()["padding"] == theirs.get_config()["padding"]
    assert out.sum() == pytest.approx(float(x.sum()), rel=1e-5)


@pytest.mark.parametrize("cls,kwargs,shape,expected", [
    (layers.ZeroPadding1D, {"padding": (1, 2)}, (2, 4, 3), (2, 7, 3)),
    (layers.ZeroPadding2D, {}, (2, 3, 4, 2), (2, 5, 6, 2)),
    (layers.ZeroPadding3D, {"data_format": "channels_first"}, (2, 2, 3, 1, 2), (2, 2, 5, 3, 4)),
])
def test_run_layer_test(cls, kwargs, shape, expected):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=expected,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   run_training_check=True)


def test_values_and_symbolic_shape():
    out = layers.ZeroPadding2D(((1, 0), (0, 2)))(np.ones((1, 2, 2, 1), "float32")).numpy()
    np.testing.assert_array_equal(out[0, :, :, 0], [[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0]])
    symbolic = layers.ZeroPadding3D(1)(hocsau.Input(shape=(None, 2, 3, 4)))
    assert symbolic.shape == (None, None, 4, 5, 4)


@pytest.mark.parametrize("cls,padding,message", [
    (layers.ZeroPadding2D, (1, 2, 3), "should be an int, a tuple of 2 ints"),
    (layers.ZeroPadding2D, -1, "`padding` cannot be negative. Received: padding=-1"),
    (layers.ZeroPadding3D, ((1, 1), (1, 1), (1, -1)), "3rd entry of padding"),
    (layers.ZeroPadding1D, (1, 2, 3), "The `padding` argument must be a tuple of 2 integers"),
])
def test_bad_padding(cls, padding, message):
    with pytest.raises(ValueError, match=message):
        cls(padding)


@pytest.mark.parametrize("name,kwargs", [
    ("ZeroPadding1D", {"padding": (1, 2)}),
    ("ZeroPadding2D", {"padding": ((1, 2), (0, 1)), "data_format": "channels_first"}),
    ("ZeroPadding3D", {"padding": (1, 2, 3)}),
    ("Cropping1D", {"cropping": 2}),
    ("Cropping2D", {"cropping": (1, 2)}),
    ("Cropping3D", {"cropping": ((1, 0), (0, 1), (2, 2)), "data_format": "channels_first"}),
    ("UpSampling1D", {"size": 3}),
    ("UpSampling2D", {"size": (1, 2), "interpolation": "bilinear"}),
    ("UpSampling3D", {"size": 3}),
])
def test_keras_json_config_round_trips_exactly(name, kwargs):
    keras = pytest.importorskip("keras")
    theirs = json.loads(json.dumps(getattr(keras.layers, name)(**kwargs).get_config()))
    ours = getattr(layers, name).from_config(theirs)
    assert json.loads(json.dumps(ours.get_config())) == theirs


@pytest.mark.parametrize("layer", [layers.ZeroPadding2D(name="r"), layers.UpSampling2D(name="r"),
                                   layers.Cropping2D(1, name="r"),
                                   layers.UpSampling2D(interpolation="bilinear", name="r")])
def test_eager_wrong_rank_is_refused(layer):
    with pytest.raises(ValueError, match='"r" is incompatible.*expected ndim=4, found ndim=3'):
        layer(np.zeros((2, 4, 4), "float32"))
