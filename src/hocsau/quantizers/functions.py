"""Integer quantization functions with Keras's names and numerics: symmetric abs-max
quantization (per axis, or per group of rows with a zero point) and int4 packing."""

from __future__ import annotations

import math

import numpy as np
import torch

from hocsau import config

_INT_DTYPES = {"int8": torch.int8, "uint8": torch.uint8}


def abs_max_quantize(inputs, axis, value_range=(-127, 127), dtype: str = "int8",
                     epsilon: float | None = None, to_numpy: bool = False):
    """(quantized, scale): `scale = value_range[1] / (max|x| over axis + epsilon)` (kept
    dims, in the input's dtype) and `clip(round(x * scale), *value_range)` as `dtype`.

    `to_numpy` computes on the host (saves device memory for big weights); the values are
    the same.
    """
    epsilon = config.epsilon() if epsilon is None else epsilon
    x = _as_tensor(inputs)
    if to_numpy:
        quantized, scale = abs_max_quantize(x.detach().cpu(), axis, value_range, dtype, epsilon)
        return quantized.to(x.device), scale.to(x.device)
    amax = x.abs().amax(dim=_axes(axis, x.dim()), keepdim=True)
    # torch.div(number, tensor) divides; `number / tensor` would multiply by the reciprocal,
    # a rounding away from Keras's scales.
    scale = torch.div(float(value_range[1]), amax + epsilon).to(x.dtype)
    quantized = torch.clamp(torch.round(x * scale), value_range[0], value_range[1])
    return quantized.to(_INT_DTYPES.get(dtype) or config.torch_dtype(dtype)), scale


def abs_max_quantize_grouped_with_zero_point(inputs, block_size: int, value_range=(-8, 7),
                                             dtype: str = "int8",
                                             epsilon: float | None = None,
                                             to_numpy: bool = False):
    """Asymmetric quantization of a 2D `(input_dim, output_dim)` tensor in groups of
    `block_size` rows: (quantized, scale `(groups, output_dim)`, zero point as int8)."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    x = _as_tensor(inputs).detach()
    device, source_dtype = x.device, x.dtype
    rows, columns = x.shape
    groups = math.ceil(rows / block_size)
    low, high = value_range
    padded = torch.cat([x, x.new_zeros((groups * block_size - rows, columns))])
    blocks = padded.reshape(groups, block_size, columns)
    minimum = blocks.amin(dim=1, keepdim=True)
    maximum = blocks.amax(dim=1, keepdim=True)
    scale = (maximum - minimum + epsilon) / (high - low)
    zero = torch.clamp(torch.round(-minimum / scale) + low, low, high)
    quantized = torch.clamp(torch.round(blocks / scale) + zero, low, high)
    quantized = quantized.reshape(groups * block_size, columns)[:rows]
    return (quantized.to(config.torch_dtype(dtype)).to(device),
            scale[:, 0].to(source_dtype).to(device), zero[:, 0].to(torch.int8).to(device))


def pack_int4(arr, axis: int = 0, dtype: str = "int8"):
    """Two int4 values per byte along `axis` (the first of each pair in the low nibble),
    padding an odd length with a zero: (packed, packed shape, original length)."""
    if dtype not in ("int8", "uint8"):
        raise ValueError(f"Expected dtype to be 'int8' or 'uint8', but got '{dtype}'.")
    array = np.asarray(arr.detach().cpu() if isinstance(arr, torch.Tensor) else arr)
    if config.standardize_dtype(array.dtype) != dtype:
        raise TypeError(f"Expected {dtype} tensor for packing, got "
                        f"{config.standardize_dtype(array.dtype)}.")
    axis = axis % array.ndim
    front = np.moveaxis(array, axis, 0)
    length = front.shape[0]
    if length % 2:
        front = np.concatenate([front, np.zeros((1,) + front.shape[1:], front.dtype)])
    low = front[::2].astype(dtype) & np.array(0x0F, dtype)
    high = front[1::2].astype(dtype) & np.array(0x0F, dtype)
    packed = np.moveaxis((low | (high << np.array(4, dtype))).astype(dtype), 0, axis)
    return torch.from_numpy(np.ascontiguousarray(packed)), tuple(packed.shape), length


def unpack_int4(packed, orig_len: int, axis: int = 0, dtype: str = "int8"):
    """`pack_int4` undone: the int4 values (signed for int8) with the padding removed."""
    if dtype not in ("int8", "uint8"):
        raise ValueError(f"Expected dtype to be 'int8' or 'uint8', but got '{dtype}'.")
    x = _as_tensor(packed)
    axis = axis % x.dim()
    front = x.movedim(axis, 0).to(torch.int16)
    low, high = front & 0x0F, (front >> 4) & 0x0F
    if dtype == "int8":
        low, high = (low ^ 8) - 8, (high ^ 8) - 8
    pairs = torch.stack([low, high], dim=1).reshape((-1,) + tuple(front.shape[1:]))
    return pairs[:orig_len].to(config.torch_dtype(dtype)).movedim(0, axis)


def _as_tensor(value) -> torch.Tensor:
    return value if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value))


def _axes(axis, ndim: int) -> tuple:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(a % ndim for a in axes)
