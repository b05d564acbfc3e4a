"""Convolution and pooling ops of Keras's `ops.nn`, channels_last by default.

Keras kernels are `(*spatial, in_channels, out_channels)` (`(*spatial, out, in)` for the
transposed convolution); inputs `(batch, *spatial, channels)` are viewed as channels-first with
a permutation, which for 2-D images is exactly PyTorch's channels_last memory format (no copy).
'same' padding follows Keras: total `max((ceil(n / s) - 1) * s + k_eff - n, 0)`, the extra
element on the right.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from hocsau import config
from hocsau.ops._convert import floating, floats, tensors
from hocsau.ops.dispatch import op

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
_ADAPTIVE_AVG = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}
_ADAPTIVE_MAX = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}


def data_format_of(data_format) -> str:
    data_format = config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: data_format={data_format!r}")
    return data_format


def _spatial_rank(x: torch.Tensor) -> int:
    if x.ndim not in (3, 4, 5):
        raise ValueError("Inputs must have rank 3, 4 or 5 (1-D, 2-D or 3-D data with batch and "
                         f"channel axes). Received input shape: {tuple(x.shape)}")
    return x.ndim - 2


def _ints(value, n: int, name: str) -> tuple[int, ...]:
    values = (value,) * n if isinstance(value, int) else tuple(int(v) for v in value)
    if len(values) != n or any(v < 0 for v in values):
        raise ValueError(f"The `{name}` argument must be an int or a tuple of {n} non-negative "
                         f"ints. Received: {name}={value}")
    return values


def _channels_first(x: torch.Tensor, data_format: str) -> torch.Tensor:
    return x if data_format == "channels_first" else x.movedim(-1, 1)


def _restore(x: torch.Tensor, data_format: str) -> torch.Tensor:
    return x if data_format == "channels_first" else x.movedim(1, -1)


def _check_padding(padding: str) -> str:
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. "
                         f"Received: padding={padding}")
    return padding


def same_padding(sizes, kernel, strides, dilation) -> list[tuple[int, int]]:
    """Keras's (left, right) 'same' padding of each spatial dimension."""
    pads = []
    for n, k, s, d in zip(sizes, kernel, strides, dilation, strict=False):
        total = max((math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _flat(pads) -> list[int]:
    """(left, right) pairs in F.pad's order: last dimension first."""
    return [p for pair in reversed(pads) for p in pair]


def _padded(x: torch.Tensor, pads, value: float = 0.0):
    """`x` and torch's `padding` argument: symmetric pads go to torch, others are applied."""
    if all(left == right for left, right in pads):
        return x, [left for left, _ in pads]
    return F.pad(x, _flat(pads), value=value), 0


@op
def conv(inputs, kernel, strides=1, padding="valid", data_format=None,
         dilation_rate=1) -> torch.Tensor:
    """N-D convolution (1-D to 3-D), grouped when the kernel has fewer input channels.

    Args:
        inputs: `(batch, *spatial, channels)` (or channels-first).
        kernel: `(*spatial, channels // groups, filters)`.
        strides, dilation_rate: ints or tuples, one per spatial dimension.
        padding: 'valid' or 'same'.
    """
    inputs, kernel = floats(inputs, kernel)
    n = _spatial_rank(inputs)
    data_format = data_format_of(data_format)
    strides, dilation = _ints(strides, n, "strides"), _ints(dilation_rate, n, "dilation_rate")
    x = _channels_first(inputs, data_format)
    weight = kernel.permute(-1, -2, *range(n))
    if x.shape[1] % weight.shape[1]:
        raise ValueError(f"The number of input channels ({x.shape[1]}) must be a multiple of "
                         f"the kernel's input channels ({weight.shape[1]}). Received: "
                         f"inputs.shape={tuple(inputs.shape)}, kernel.shape={tuple(kernel.shape)}")
    torch_padding = 0
    if _check_padding(padding) == "same":
        pads = same_padding(x.shape[2:], weight.shape[2:], strides, dilation)
        x, torch_padding = _padded(x, pads)
    out = _CONV[n](x, weight, stride=strides, padding=torch_padding, dilation=dilation,
                   groups=x.shape[1] // weight.shape[1])
    return _restore(out, data_format)


@op
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1) -> torch.Tensor:
    """Depthwise convolution: each input channel convolved with its own `multiplier` filters.

    Args:
        kernel: `(*spatial, channels, multiplier)`.
    """
    inputs, kernel = floats(inputs, kernel)
    grouped = kernel.reshape(*kernel.shape[:-2], 1, kernel.shape[-2] * kernel.shape[-1])
    return conv(inputs, grouped, strides, padding, data_format, dilation_rate)


@op
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1) -> torch.Tensor:
    """Depthwise convolution followed by a 1x1 (pointwise) convolution."""
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                               dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format)


def _transpose_crops(kernel, strides, dilation, padding, output_padding):
    """Per dimension, how much to cut from each side of torch's full transposed output."""
    crops = []
    for i, (k, s, d) in enumerate(zip(kernel, strides, dilation, strict=False)):
        extra = output_padding if output_padding is None or isinstance(output_padding, int) \
            else output_padding[i]
        k = (k - 1) * d + 1
        if padding == "valid":
            extra = max(k, s) - k if extra is None else extra
            crops.append((0, -extra))
            continue
        total = s + k - 2 if extra is None else k + k % 2 - 2 + extra
        left = min(total // 2 + total % 2, k - 1)
        crops.append((k - 1 - left, k - 1 - (total - left)))
    return crops


@op
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1) -> torch.Tensor:
    """Transposed convolution (the gradient of `conv`), with Keras's output-size rules.

    Args:
        kernel: `(*spatial, filters, channels)`.
        output_padding: extra size on the right of each spatial dimension (None: Keras's
            default, giving `input * stride` for 'same').
    """
    inputs, kernel = floats(inputs, kernel)
    n = _spatial_rank(inputs)
    data_format = data_format_of(data_format)
    strides, dilation = _ints(strides, n, "strides"), _ints(dilation_rate, n, "dilation_rate")
    x = _channels_first(inputs, data_format)
    # contiguous: torch's CPU float64 kernel cannot take a permuted weight's gradient.
    weight = kernel.permute(-1, -2, *range(n)).contiguous()
    out = _CONV_T[n](x, weight, stride=strides, dilation=dilation)
    crops = _transpose_crops(kernel.shape[:n], strides, dilation, _check_padding(padding),
                             output_padding)
    # Negative crops are zero padding: F.pad takes negative amounts as cropping.
    out = F.pad(out, [-c for c in _flat(crops)])
    return _restore(out, data_format)


def _pool_args(inputs, pool_size, strides, padding, data_format):
    x = floating(inputs) if not inputs.is_floating_point() else inputs
    n = _spatial_rank(x)
    data_format = data_format_of(data_format)
    pool_size = _ints(pool_size, n, "pool_size")
    strides = pool_size if strides is None else _ints(strides, n, "strides")
    x = _channels_first(x, data_format)
    pads = same_padding(x.shape[2:], pool_size, strides, (1,) * n) \
        if _check_padding(padding) == "same" else [(0, 0)] * n
    return x, n, pool_size, strides, pads, data_format


@op
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None) -> torch.Tensor:
    """Max pooling over windows of `pool_size` (strides default to the pool size)."""
    x, n, size, strides, pads, data_format = _pool_args(tensors(inputs)[0], pool_size, strides,
                                                        padding, data_format)
    x, torch_padding = _padded(x, pads, value=float("-inf"))
    return _restore(_MAX_POOL[n](x, size, strides, padding=torch_padding), data_format)


@op
def average_pool(inputs, pool_size, strides=None, padding="valid",
                 data_format=None) -> torch.Tensor:
    """Average pooling; with 'same' padding the padded positions are not counted."""
    x, n, size, strides, pads, data_format = _pool_args(tensors(inputs)[0], pool_size, strides,
                                                        padding, data_format)
    pool = _AVG_POOL[n]
    if all(left == right for left, right in pads):
        out = pool(x, size, strides, padding=[left for left, _ in pads], count_include_pad=False)
    else:
        # Average of the zero-padded input divided by the share of real elements per window.
        ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)
        out = pool(F.pad(x, _flat(pads)), size, strides) / pool(F.pad(ones, _flat(pads)), size,
                                                                 strides)
    return _restore(out, data_format)


def _adaptive(inputs, output_size, data_format, pools) -> torch.Tensor:
    x = floating(inputs)
    n = _spatial_rank(x)
    data_format = data_format_of(data_format)
    out = pools[n](_channels_first(x, data_format), _ints(output_size, n, "output_size"))
    return _restore(out[0] if isinstance(out, tuple) else out, data_format)


@op
def adaptive_average_pool(inputs, output_size, data_format=None) -> torch.Tensor:
    """Average pooling to a fixed `output_size`, windows chosen to cover the input evenly."""
    return _adaptive(inputs, output_size, data_format, _ADAPTIVE_AVG)


@op
def adaptive_max_pool(inputs, output_size, data_format=None) -> torch.Tensor:
    """Max pooling to a fixed `output_size`, windows chosen to cover the input evenly."""
    return _adaptive(inputs, output_size, data_format, _ADAPTIVE_MAX)


@op
def unfold(x, kernel_size, dilation=1, padding=0, stride=1) -> torch.Tensor:
    """Sliding blocks of a channels-first image batch `(N, C, H, W)` as `(N, C*kh*kw, L)`."""
    return F.unfold(floating(x), kernel_size, dilation=dilation, padding=padding, stride=stride)


@op
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1) -> torch.Tensor:
    """Inverse of `unfold`: blocks `(N, C*kh*kw, L)` summed into `(N, C, *output_size)`."""
    return F.fold(floating(x), output_size, kernel_size, dilation=dilation, padding=padding,
                  stride=stride)


@op
def depth_to_space(x, block_size, data_format="channels_last") -> torch.Tensor:
    """Move channel blocks into `block_size x block_size` spatial blocks (TF's ordering)."""
    x = tensors(x)[0]
    b = int(block_size)
    if data_format_of(data_format) == "channels_first":
        return F.pixel_shuffle(x, b)
    n, h, w, c = x.shape
    x = x.reshape(n, h, w, b, b, c // (b * b)).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h * b, w * b, c // (b * b))


@op
def space_to_depth(x, block_size, data_format="channels_last") -> torch.Tensor:
    """Move `block_size x block_size` spatial blocks into channels (TF's ordering)."""
    x = tensors(x)[0]
    b = int(block_size)
    if data_format_of(data_format) == "channels_first":
        return F.pixel_unshuffle(x, b)
    n, h, w, c = x.shape
    x = x.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h // b, w // b, c * b * b)
