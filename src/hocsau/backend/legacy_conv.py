"""tf.keras 2's `keras.backend` convolutions and pooling (`K.conv2d`, `K.pool2d`, ...): a
hocsau extension over `hocsau.ops`, with TensorFlow's kernel layouts and 'same' padding."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau import ops
from hocsau.backend.legacy_array import _data_format, temporal_padding
from hocsau.ops._convert import floats
from hocsau.ops.dispatch import op


def _padding(padding: str) -> str:
    if padding not in ("same", "valid"):
        raise ValueError(f"Invalid padding: {padding}")
    return padding


@op
def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1D convolution; `padding="causal"` pads only the start of the sequence."""
    data_format = _data_format(data_format)
    if padding == "causal":
        left = dilation_rate * (kernel.shape[0] - 1)
        x = temporal_padding(x, (left, 0)) if data_format == "channels_last" else \
            F.pad(x, (left, 0))
        padding = "valid"
    return ops.conv(x, kernel, strides, _padding(padding), data_format, dilation_rate)


@op
def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1)):
    """2D convolution with a `(rows, cols, in, out)` kernel."""
    return ops.conv(x, kernel, strides, _padding(padding), _data_format(data_format),
                    dilation_rate)


@op
def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1, 1)):
    """3D convolution with a `(d, rows, cols, in, out)` kernel."""
    return ops.conv(x, kernel, strides, _padding(padding), _data_format(data_format),
                    dilation_rate)


@op
def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """Depthwise 2D convolution with a `(rows, cols, in, multiplier)` kernel."""
    return ops.depthwise_conv(x, depthwise_kernel, strides, _padding(padding),
                              _data_format(data_format), dilation_rate)


@op
def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """Depthwise then pointwise 2D convolution."""
    if len(strides) != 2:
        raise ValueError("`strides` must be a tuple of 2 integers.")
    return ops.separable_conv(x, depthwise_kernel, pointwise_kernel, strides,
                              _padding(padding), _data_format(data_format), dilation_rate)


@op
def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """Transposed 2D convolution to `output_shape` with a `(rows, cols, out, in)` kernel, as
    the gradient of a TensorFlow `conv2d` producing `x` from `output_shape`."""
    data_format = _data_format(data_format)
    padding = _padding(padding)
    x, kernel = floats(x, kernel)
    if data_format == "channels_last":
        x = x.permute(0, 3, 1, 2)
        sizes = tuple(output_shape[1:3])
    else:
        sizes = tuple(output_shape[2:4])
    full = F.conv_transpose2d(x, kernel.permute(3, 2, 0, 1), stride=tuple(strides),
                              dilation=tuple(dilation_rate))
    for axis, (size, stride, rate, k) in enumerate(
            zip(sizes, strides, dilation_rate, kernel.shape[:2], strict=True)):
        span = rate * (k - 1) + 1
        start = 0
        if padding == "same":
            start = max((-(-size // stride) - 1) * stride + span - size, 0) // 2
        full = _window(full, 2 + axis, start, int(size))
    return full.permute(0, 2, 3, 1) if data_format == "channels_last" else full


def _window(x: torch.Tensor, dim: int, start: int, size: int) -> torch.Tensor:
    """`size` entries of `x` along `dim` from `start`, zero-padded past the end."""
    x = x.narrow(dim, start, min(size, x.shape[dim] - start))
    missing = size - x.shape[dim]
    if missing > 0:
        pads = [0, 0] * (x.dim() - 1 - dim) + [0, missing]
        x = F.pad(x, pads)
    return x


def _pool(x, pool_size, strides, padding, data_format, pool_mode):
    data_format = _data_format(data_format)
    if pool_mode == "max":
        return ops.max_pool(x, pool_size, strides, _padding(padding), data_format)
    if pool_mode == "avg":
        return ops.average_pool(x, pool_size, strides, _padding(padding), data_format)
    raise ValueError(f"Invalid pooling mode: {pool_mode}")


@op
def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """2D max ('max') or average ('avg') pooling."""
    if len(pool_size) != 2:
        raise ValueError("`pool_size` must be a tuple of 2 integers.")
    if len(strides) != 2:
        raise ValueError("`strides` must be a tuple of 2 integers.")
    return _pool(x, pool_size, strides, padding, data_format, pool_mode)


@op
def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None,
           pool_mode="max"):
    """3D max ('max') or average ('avg') pooling."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode)


__all__ = ["conv1d", "conv2d", "conv2d_transpose", "conv3d", "depthwise_conv2d", "pool2d",
           "pool3d", "separable_conv2d"]
