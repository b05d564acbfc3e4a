import itertools

import numpy as np
import pytest
from ops_parity import RNG, assert_close, assert_like_keras

from hocsau import ops

GRID = [(nd, k, s, d, padding, fmt)
        for nd, (k, s, d), padding, fmt in itertools.product(
            (1, 2, 3), ((3, 1, 1), (2, 2, 1), (3, 2, 1), (3, 1, 2)), ("valid", "same"),
            ("channels_last", "channels_first"))
        if nd != 3 or fmt == "channels_last"]


def _input(nd, fmt, size=7, channels=4):
    shape = (2,) + (size,) * nd + (channels,) if fmt == "channels_last" else \
        (2, channels) + (size,) * nd
    return RNG.normal(size=shape).astype("float32")


def _kernel(nd, k, *channels):
    return RNG.normal(size=(k,) * nd + channels).astype("float32")


@pytest.mark.parametrize("nd,k,s,d,padding,fmt", GRID)
def test_convolutions_match_keras(nd, k, s, d, padding, fmt):
    x = _input(nd, fmt)
    args = (s, padding, fmt, d)
    kernel = _kernel(nd, k, 4, 3)
    assert_like_keras(ops.conv(x, kernel, *args), "conv", x, kernel, *args, rtol=1e-4, atol=1e-4)
    grouped = _kernel(nd, k, 2, 4)
    assert_like_keras(ops.conv(x, grouped, *args), "conv", x, grouped, *args, rtol=1e-4,
                      atol=1e-4)
    depthwise = _kernel(nd, k, 4, 2)
    assert_like_keras(ops.depthwise_conv(x, depthwise, *args), "depthwise_conv", x, depthwise,
                      *args, rtol=1e-4, atol=1e-4)
    if nd < 3:
        pointwise = _kernel(nd, 1, 8, 5)
        assert_like_keras(ops.separable_conv(x, depthwise, pointwise, *args), "separable_conv",
                          x, depthwise, pointwise, *args, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("nd,k,s,d,padding,fmt", GRID)
@pytest.mark.parametrize("output_padding", [None, 0])
def test_conv_transpose_matches_keras(nd, k, s, d, padding, fmt, output_padding):
    x, kernel = _input(nd, fmt, size=5), _kernel(nd, k, 3, 4)
    args = (s, padding, output_padding, fmt, d)
    assert_like_keras(ops.conv_transpose(x, kernel, *args), "conv_transpose", x, kernel, *args,
                      rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("nd,pool,s,padding,fmt", [
    (nd, pool, s, padding, fmt)
    for nd, pool, s, padding, fmt in itertools.product(
        (1, 2, 3), (2, 3), (1, 2, None), ("valid", "same"), ("channels_last", "channels_first"))
    if nd != 3 or fmt == "channels_last"])
def test_pooling_matches_keras(nd, pool, s, padding, fmt):
    x = _input(nd, fmt)
    args = (pool, s, padding, fmt)
    assert_like_keras(ops.max_pool(x, *args), "max_pool", x, *args)
    assert_like_keras(ops.average_pool(x, *args), "average_pool", x, *args, rtol=1e-5)


def test_same_average_pool_never_counts_padding():
    # pool 4, stride 1 on 5 steps pads (1, 2): the last window holds two real values.
    x = np.arange(1.0, 6.0, dtype="float32").reshape(1, 5, 1)
    out = ops.average_pool(x, 4, 1, "same")
    assert_close(out.reshape(-1), [2.0, 2.5, 3.5, 4.0, 4.5])


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_adaptive_pools_match_keras(nd):
    x = _input(nd, "channels_last", size=9, channels=3)
    assert_like_keras(ops.adaptive_average_pool(x, 4), "adaptive_average_pool", x, 4)
    assert_like_keras(ops.adaptive_max_pool(x, 4), "adaptive_max_pool", x, 4)


@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_depth_space_round_trip_like_keras(fmt):
    x = _input(2, fmt, size=4, channels=8)
    deep = ops.space_to_depth(x, 2, data_format=fmt)
    assert_like_keras(deep, "space_to_depth", x, 2, data_format=fmt)
    assert_like_keras(ops.depth_to_space(deep, 2, data_format=fmt), "depth_to_space", deep, 2,
                      data_format=fmt)
    assert_close(ops.depth_to_space(deep, 2, data_format=fmt), x)


def test_unfold_fold_round_trip():
    images = RNG.normal(size=(1, 2, 4, 4)).astype("float32")
    blocks = ops.unfold(images, 2, stride=2)
    assert blocks.shape == (1, 8, 4)
    assert_close(ops.fold(blocks, 4, 2, stride=2), images)


def test_argument_errors():
    x = _input(2, "channels_last")
    with pytest.raises(ValueError, match="padding"):
        ops.conv(x, _kernel(2, 3, 4, 3), padding="causal")
    with pytest.raises(ValueError, match="multiple of"):
        ops.conv(x, _kernel(2, 3, 3, 3))
    with pytest.raises(ValueError, match="rank 3, 4 or 5"):
        ops.max_pool(np.ones((2, 3)), 2)
    with pytest.raises(ValueError, match="data_format"):
        ops.max_pool(x, 2, data_format="NHWC")
    with pytest.raises(ValueError, match="strides"):
        ops.conv(x, _kernel(2, 3, 4, 3), strides=(1, 1, 1))
