"""Float8 scaling and fake quantization with Keras's names and numerics."""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.quantizers.functions import _as_tensor


def quantize_and_dequantize(inputs, scale, quantized_dtype: str, compute_dtype: str):
    """`inputs / scale`, clipped to the float8 format's range, rounded to it, and scaled
    back, in `compute_dtype`."""
    compute = config.torch_dtype(compute_dtype)
    target = config.torch_dtype(quantized_dtype)
    largest = float(torch.finfo(target).max)
    scale = _as_tensor(scale).to(compute)
    x = torch.clamp(_as_tensor(inputs) / scale, -largest, largest).to(target)
    return x.to(compute) * scale


def compute_float8_scale(amax, scale, dtype_max, margin: int = 0):
    """The next scale from the history's largest magnitude: `amax / dtype_max * 2**margin`,
    keeping the current scale where `amax` is zero or not finite."""
    amax = _as_tensor(amax)
    inverse = torch.reciprocal(_as_tensor(scale))
    factor = torch.div(torch.as_tensor(dtype_max, dtype=amax.dtype), amax) / (2 ** margin)
    factor = torch.where(amax > 0.0, factor, inverse)
    factor = torch.where(torch.isfinite(amax), factor, inverse)
    return torch.reciprocal(factor)


def compute_float8_amax_history(x, amax_history):
    """The history rolled one step, `max|x|` written in front."""
    history = _as_tensor(amax_history)
    amax = _as_tensor(x).abs().max().to(history.dtype)
    rolled = torch.roll(history, shifts=-1, dims=0)
    return torch.cat([amax.reshape(1), rolled[1:]])


def fake_quant_with_min_max_vars(inputs, min_vals, max_vals, num_bits: int = 8,
                                 narrow_range: bool = False, axis=None):
    """Quantize to `2**num_bits` levels over [min, max] (nudged so zero is exact) and back;
    gradients pass through inside the range and go to min / max outside it."""
    x = _as_tensor(inputs)
    low, high = _as_tensor(min_vals).to(x.dtype), _as_tensor(max_vals).to(x.dtype)
    if axis is not None:
        axis = axis % x.dim()
        shape = [-1 if i == axis else 1 for i in range(x.dim())]
        low, high = low.reshape(shape), high.reshape(shape)
    return _FakeQuant.apply(x, low, high, int(num_bits), bool(narrow_range), axis)


class _FakeQuant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, low, high, num_bits, narrow_range, axis):
        nudged_low, nudged_high, scale, inverse = _nudge(low, high, num_bits, narrow_range)
        zero = torch.floor(-nudged_low * inverse + 0.5)
        clamped = torch.clamp(x.to(nudged_low.dtype), nudged_low, nudged_high)
        levels = torch.floor((clamped - nudged_low) * inverse - zero + 0.5)
        ctx.save_for_backward(x, nudged_low, nudged_high)
        ctx.shapes = (low.shape, high.shape, axis)
        return (levels * scale).to(x.dtype)

    @staticmethod
    def backward(ctx, upstream):
        x, nudged_low, nudged_high = ctx.saved_tensors
        low_shape, high_shape, axis = ctx.shapes
        inside = (x >= nudged_low) & (x <= nudged_high)
        zero = torch.zeros_like(upstream)
        grads = []
        for mask, shape in ((x <= nudged_low, low_shape), (x >= nudged_high, high_shape)):
            grad = torch.where(mask, upstream, zero)
            if axis is None:
                grad = grad.sum()
            else:
                grad = grad.sum(dim=[i for i in range(x.dim()) if i != axis])
            grads.append(grad.reshape(shape))
        return torch.where(inside, upstream, zero), grads[0], grads[1], None, None, None


def _nudge(low, high, num_bits: int, narrow_range: bool):
    """Keras's nudged range: the zero point moved to an integer level."""
    dtype = torch.promote_types(low.dtype, torch.float32)
    low, high = low.to(dtype), high.to(dtype)
    quant_max = (1 << num_bits) - 1
    quant_min = 1 if narrow_range else 0
    span = high - low
    scale = span / (quant_max - quant_min)
    inverse = (quant_max - quant_min) / span
    zero = torch.round(torch.clamp(quant_min - low / scale, quant_min, quant_max))
    return (quant_min - zero) * scale, (quant_max - zero) * scale, scale, inverse
