"""Asymmetric (zero-point) quantization of a weight matrix, as GPTQ and AWQ use it:
`q = clip(round(w / scale + zero), 0, maxq)` and back `scale * (q - zero)`, with one
(scale, zero) per output row, per row and group of input columns, or per tensor.

Each function follows Keras's order of float operations, so the same weights give the
same bits.
"""

from __future__ import annotations

import torch

from hocsau import config


def compute_quantization_parameters(x: torch.Tensor, *, bits: int, symmetric: bool = False,
                                    per_channel: bool = False, group_size: int = -1,
                                    compute_dtype: str = "float32", epsilon: float = 0.0,
                                    signed: bool = False):
    """(scale, zero, maxq) for an (out_features, in_features) matrix: scale and zero of
    shape (out_features, groups), zero as uint8 (int8 when `signed`), maxq `2**bits - 1`.

    `per_channel` with `group_size > 0` takes one pair per row and group of `group_size`
    columns; `per_channel` alone one per row; otherwise one for the whole tensor (tiled).
    """
    if x is None or x.dim() < 2:
        raise ValueError(f"Input weight tensor must have a rank of at least 2. Received: {x}")
    if x.numel() == 0:
        raise ValueError("Input tensor 'x' cannot be empty.")
    rows, columns = x.shape[0], x.shape[1]
    groups = -(-columns // group_size) if per_channel and group_size > 0 else 1
    if groups > 1:
        padded = torch.nn.functional.pad(x, (0, groups * group_size - columns))
        blocks = padded.reshape(rows, groups, group_size)
        low, high = blocks.amin(dim=2), blocks.amax(dim=2)
    else:
        flat = x.reshape(rows, -1) if per_channel else x.reshape(1, -1)
        low, high = flat.amin(dim=1), flat.amax(dim=1)
    if symmetric:
        largest = torch.maximum(low.abs(), high)
        low, high = torch.where(low < 0, -largest, low), largest
    flat_range = low == high
    low, high = torch.where(flat_range, low - 1, low), torch.where(flat_range, high + 1, high)
    maxq = torch.tensor(2 ** bits - 1, dtype=config.torch_dtype(compute_dtype))
    spread = high - low
    if epsilon > 0:
        spread = spread + epsilon
    scale = spread / maxq
    scale = torch.where(scale <= 0, torch.tensor(1e-8, dtype=scale.dtype), scale)
    zero = _zero_point(low, scale, maxq, bits, symmetric, signed)
    if groups == 1:
        scale, zero = scale.reshape(-1, 1), zero.reshape(-1, 1)
        if not per_channel:
            scale, zero = scale.expand(rows, 1), zero.expand(rows, 1)
    return scale.contiguous(), zero.contiguous(), maxq


def _zero_point(low, scale, maxq, bits: int, symmetric: bool, signed: bool) -> torch.Tensor:
    if symmetric:
        zero = torch.full_like(scale, float((maxq + 1) / 2))
    else:
        zero = torch.round(-low / scale)
    if signed:
        qmin = -(2 ** (bits - 1))
        zero = zero + qmin if not symmetric else torch.full_like(scale, float(
            (maxq + 1) / 2 + qmin))
        return torch.clamp(zero, qmin, 2 ** (bits - 1) - 1).to(torch.int8)
    return zero.to(torch.uint8)


def quantize_with_zero_point(x: torch.Tensor, scale: torch.Tensor, zero: torch.Tensor,
                             maxq) -> torch.Tensor:
    """The levels `clip(round(x / scale + zero), 0, maxq)`, in the scale's float dtype."""
    safe = torch.where(scale == 0, torch.tensor(1e-8, dtype=scale.dtype), scale)
    return torch.clamp(torch.round(x / safe + zero.to(scale.dtype)), 0, float(maxq))


def dequantize_with_zero_point(q: torch.Tensor, scale: torch.Tensor,
                               zero: torch.Tensor) -> torch.Tensor:
    """`scale * (q - zero)`."""
    return scale * (q - zero.to(scale.dtype))


def quantize_with_sz_map(weights, scale, zero, g_idx, maxq, group_axis: int = -1):
    """`quantize_with_zero_point` with each column's (scale, zero) picked by its group
    index `g_idx` along `group_axis` of `scale` / `zero`."""
    groups = g_idx.to(torch.int32).long()
    return quantize_with_zero_point(weights, scale.index_select(group_axis, groups),
                                    zero.index_select(group_axis, groups), maxq)


def dequantize_with_sz_map(weights, scale, zero, g_idx, group_axis: int = -1):
    """The float matrix back from levels and per-group (scale, zero) mapped by `g_idx`."""
    groups = g_idx.to(torch.int32).long()
    scales = scale.index_select(group_axis, groups)
    zeros = zero.index_select(group_axis, groups).to(scales.dtype)
    return (weights - zeros) * scales
