"""MaxPooling / AveragePooling 1D-3D: Keras parity over pool sizes, strides, padding and
data_format (odd and even sizes), TensorFlow's "same" averages, layout, errors."""

import itertools

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

SPATIAL = {1: [(9,), (8,)], 2: [(7, 6), (6, 5)], 3: [(5, 4, 6), (4, 5, 4)]}
WINDOWS = [(2, None), (3, 1), (3, 2), (4, 1), (2, 3)]


def _reference(x, pool, strides, padding, mode):
    """TensorFlow's pooling on a channels-last array, window by window."""
    spatial = x.shape[1:-1]
    if padding == "valid":
        outs = [(n - k) // s + 1 for n, k, s in zip(spatial, pool, strides, strict=True)]
        starts = [0] * len(spatial)
    else:
        outs = [-(-n // s) for n, s in zip(spatial, strides, strict=True)]
        starts = [-(max(0, (o - 1) * s + k - n) // 2)
                  for n, k, s, o in zip(spatial, pool, strides, outs, strict=True)]
    result = np.empty((x.shape[0], *outs, x.shape[-1]), "float32")
    for index in np.ndindex(*outs):
        window = tuple(slice(max(0, b + i * s), b + i * s + k)
                       for i, b, s, k in zip(index, starts, strides, pool, strict=True))
        block = x[(slice(None), *window)].reshape(x.shape[0], -1, x.shape[-1])
        result[(slice(None), *index)] = block.max(1) if mode == "max" else block.mean(1)
    return result


def _keras_pads_symmetric(spatial, pool, strides):
    """Keras's torch backend replicates edges for uneven "same" padding (we follow TF)."""
    totals = [max(0, (-(-n // s) - 1) * s + k - n)
              for n, k, s in zip(spatial, pool, strides, strict=True)]
    return all(t % 2 == 0 for t in totals)


CASES = list(itertools.product(
    ["MaxPooling", "AveragePooling"], [1, 2, 3], ["valid", "same"], WINDOWS,
    ["channels_last", "channels_first"], [0, 1]))


@pytest.mark.parametrize("family,rank,padding,window,data_format,size", CASES)
def test_pooling_matches_keras_and_tensorflow(keras_parity, family, rank, padding, window,
                                              data_format, size):
    spatial = SPATIAL[rank][size]
    pool, strides = window
    pool_t = (pool,) * rank
    strides_t = pool_t if strides is None else (strides,) * rank
    x = np.random.default_rng(rank).normal(size=(2, *spatial, 3)).astype("float32")
    expected = _reference(x, pool_t, strides_t, padding, "max" if family == "MaxPooling" else "avg")
    kwargs = {"pool_size": pool, "strides": strides, "padding": padding,
              "data_format": data_format}
    ours = getattr(layers, f"{family}{rank}D")(**kwargs)
    if data_format == "channels_first":
        x, expected = np.moveaxis(x, -1, 1), np.moveaxis(expected, -1, 1)
    actual = ours(x).numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    if family == "MaxPooling" or padding == "valid" or _keras_pads_symmetric(
            spatial, pool_t, strides_t):
        keras_parity(f"{family}{rank}D", kwargs, x)


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("family", ["MaxPooling", "AveragePooling"])
def test_run_layer_test(family, rank):
    spatial = SPATIAL[rank][0]
    out = tuple(-(-n // 2) for n in spatial)
    run_layer_test(getattr(layers, f"{family}{rank}D"), {"padding": "same"},
                   input_shape=(2, *spatial, 3), expected_output_shape=(2, *out, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   supports_masking=False, run_training_check=True)


def test_same_average_excludes_padding():
    x = np.arange(1, 6, dtype="float32").reshape(1, 5, 1)
    out = layers.AveragePooling1D(4, strides=1, padding="same")(x).numpy().ravel()
    np.testing.assert_allclose(out, [2.0, 2.5, 3.5, 4.0, 4.5])


def test_config_values_and_aliases():
    layer = layers.MaxPool2D(3, padding="SAME", name="p")
    config = layer.get_config()
    assert (config["pool_size"], config["strides"], config["padding"]) == ((3, 3), (3, 3), "same")
    assert layers.AvgPool3D is layers.AveragePooling3D and layers.MaxPool1D is layers.MaxPooling1D
    assert layers.MaxPooling1D().pool_size == (2,)
    assert layers.AveragePooling3D().strides == (2, 2, 2)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_symbolic_shapes_keep_unknown_axes(data_format):
    layer = layers.MaxPooling2D(3, 2, "same", data_format=data_format)
    shape = (None, 7, 3) if data_format == "channels_last" else (3, None, 7)
    out = layer(hocsau.Input(shape=shape))
    assert out.shape == ((None, None, 4, 3) if data_format == "channels_last" else
                         (None, 3, None, 4))


def test_channels_last_output_is_contiguous_without_copies():
    x = torch.randn(2, 8, 8, 4)
    for layer in (layers.MaxPooling2D(), layers.AveragePooling2D(), layers.MaxPooling1D()):
        y = layer(x if layer.input_spec.ndim == 4 else x[:, 0])
        assert y.is_contiguous()


def test_gradient_flows_through_same_average():
    x = torch.randn(1, 5, 5, 2, requires_grad=True)
    layers.AveragePooling2D(4, 1, "same")(x).sum().backward()
    assert x.grad.shape == (1, 5, 5, 2) and torch.isfinite(x.grad).all()


@pytest.mark.parametrize("kwargs,message", [
    ({"pool_size": 0}, "The `pool_size` argument must be a tuple of 2 positive integers"),
    ({"pool_size": (2, 2, 2)}, "The `pool_size` argument must be a tuple of 2 integers"),
    ({"strides": "x"}, "The `strides` argument must be a tuple of 2 integers"),
    ({"padding": "full"}, "Received: padding=full"),
    ({"data_format": "nhwc"}, "Received: data_format=nhwc"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.MaxPooling2D(**kwargs)


def test_wrong_rank_names_the_layer():
    layer = layers.MaxPooling2D(name="pool")
    with pytest.raises(ValueError, match='layer "pool" is incompatible.*expected ndim=4, found '
                                         "ndim=3"):
        layer(hocsau.Input(shape=(8, 3)))


def test_window_larger_than_input():
    with pytest.raises(ValueError, match="'pool' would be zero or negative.*pool_size=\\(5, 5\\)"):
        layers.AveragePooling2D(5, name="pool")(hocsau.Input(shape=(4, 4, 1)))


@pytest.mark.parametrize("layer,shape,message", [
    (layers.MaxPooling2D(name="pool"), (2, 4, 4), 'layer "pool" is incompatible.*expected ndim=4'),
    (layers.AveragePooling1D(name="pool"), (4,), 'layer "pool" is incompatible.*expected ndim=3'),
    (layers.AveragePooling2D(5, name="pool"), (2, 4, 4, 1), "'pool' would be zero or negative"),
    (layers.MaxPooling3D(3, padding="same", name="pool"), (2, 4, 4), "expected ndim=5"),
])
def test_eager_errors_speak_keras(layer, shape, message):
    with pytest.raises(ValueError, match=message):
        layer(torch.zeros(shape))
