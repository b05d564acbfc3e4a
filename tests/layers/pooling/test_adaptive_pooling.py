"""AdaptiveAverage / AdaptiveMaxPooling 1D-3D: Keras parity for output sizes that divide the
input and that do not (both data formats), hand-computed windows, shapes, config, `.keras`
files both ways with Keras, errors."""

import itertools

import keras
import numpy as np
import pytest

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

# (input spatial size, output_size): sizes that divide the input, then sizes that do not.
SIZES = {1: [((8,), 4), ((7,), (3,))], 2: [((6, 4), 2), ((7, 5), (3, 2))],
         3: [((4, 6, 2), (2, 3, 1)), ((5, 3, 4), 2)]}
CASES = list(itertools.product(["AdaptiveAveragePooling", "AdaptiveMaxPooling"], [1, 2, 3],
                               [0, 1], ["channels_last", "channels_first"]))


def _as_tuple(size, rank):
    return (size,) * rank if isinstance(size, int) else tuple(size)


@pytest.mark.parametrize("family,rank,case,data_format", CASES)
def test_adaptive_pooling_matches_keras(keras_parity, family, rank, case, data_format):
    spatial, output_size = SIZES[rank][case]
    x = np.random.default_rng(rank + case).normal(size=(2, *spatial, 3)).astype("float32")
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
    ours, _, out = keras_parity(f"{family}{rank}D",
                                {"output_size": output_size, "data_format": data_format}, x)
    sizes = _as_tuple(output_size, rank)
    expected = (2, *sizes, 3) if data_format == "channels_last" else (2, 3, *sizes)
    assert out.shape == expected
    assert ours.compute_output_shape(x.shape) == expected


@pytest.mark.parametrize("mode", ["average", "max"])
def test_uneven_windows_by_hand(mode):
    """7 steps to 3: windows [0, 3), [2, 5), [4, 7) (start floor(i*7/3), end ceil((i+1)*7/3))."""
    x = np.arange(14, dtype="float32").reshape(1, 7, 2) ** 2
    layer = (layers.AdaptiveAveragePooling1D if mode == "average" else layers.AdaptiveMaxPooling1D)
    out = layer(3)(x).numpy()
    reduce = np.mean if mode == "average" else np.max
    expected = np.stack([reduce(x[0, a:b], axis=0) for a, b in [(0, 3), (2, 5), (4, 7)]])
    np.testing.assert_allclose(out[0], expected, rtol=1e-6)


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("family", ["AdaptiveAveragePooling", "AdaptiveMaxPooling"])
def test_run_layer_test(family, rank):
    spatial = SIZES[rank][1][0]
    run_layer_test(getattr(layers, f"{family}{rank}D"), {"output_size": 2},
                   input_shape=(2, *spatial, 3), expected_output_shape=(2,) + (2,) * rank + (3,),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   run_training_check=True)


def test_symbolic_shape_with_unknown_spatial_axes():
    out = layers.AdaptiveMaxPooling2D((3, 1))(hocsau.Input(shape=(None, None, 5)))
    assert out.shape == (None, 3, 1, 5)
    first = layers.AdaptiveAveragePooling3D(2, data_format="channels_first")
    assert first(hocsau.Input(shape=(4, None, 6, None))).shape == (None, 4, 2, 2, 2)


def test_config_round_trip_and_keras_config():
    ours = layers.AdaptiveAveragePooling2D([3, 2], data_format="channels_first", name="ap")
    config = ours.get_config()
    assert (config["output_size"], config["data_format"]) == ((3, 2), "channels_first")
    again = layers.AdaptiveAveragePooling2D.from_config(config)
    assert again.output_size == (3, 2) and again.name == "ap"
    theirs = keras.layers.AdaptiveAveragePooling2D([3, 2], data_format="channels_first",
                                                   name="ap").get_config()
    assert {k: config[k] for k in ("output_size", "data_format")} == {
        k: theirs[k] for k in ("output_size", "data_format")}


def _model(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((7, 5, 2)), L.AdaptiveMaxPooling2D((3, 2)),
                           L.Reshape((6, 2)), L.AdaptiveAveragePooling1D(4),
                           L.Flatten(), L.Dense(2)])


def test_keras_files_cross_both_ways(tmp_path):
    x = np.random.default_rng(0).normal(size=(3, 7, 5, 2)).astype("float32")
    ours = _model(hocsau)
    assert ours.count_params() == 8 * 2 + 2
    ours.save(tmp_path / "h.keras")
    theirs = keras.saving.load_model(tmp_path / "h.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), ours.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    native = _model(keras)
    native.save(tmp_path / "k.keras")
    loaded = hocsau.saving.load_model(tmp_path / "k.keras")
    assert type(loaded.layers[0]) is layers.AdaptiveMaxPooling2D
    np.testing.assert_allclose(loaded.predict(x, verbose=0), native.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_errors():
    with pytest.raises(TypeError, match=r"\(height, width\) tuple. Received: output_size=\(2,"):
        layers.AdaptiveMaxPooling2D((2, 3, 4))
    with pytest.raises(TypeError, match="output_size='2'"):
        layers.AdaptiveAveragePooling3D("2")
    with pytest.raises(ValueError, match=r"must have length 1. Received: output_size=\(2, 2\)"):
        layers.AdaptiveAveragePooling1D((2, 2))
    with pytest.raises(ValueError, match="positive integers. Received: output_size=0"):
        layers.AdaptiveMaxPooling1D(0)
    with pytest.raises(ValueError, match="Received: data_format=NCHW"):
        layers.AdaptiveMaxPooling2D(2, data_format="NCHW")
    with pytest.raises(ValueError, match='layer "adaptive.*expected ndim=4, found ndim=3'):
        layers.AdaptiveMaxPooling2D(2)(hocsau.Input(shape=(5, 3)))
