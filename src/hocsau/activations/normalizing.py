"""Activations that normalize along an axis (softmax family) or gate one half by the other."""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from hocsau.activations._builtin import as_tensor, builtin
from hocsau.activations._logits import keep_logits


@builtin
def softmax(x, axis: int | tuple[int, ...] | None = -1) -> torch.Tensor:
    """`exp(x) / sum(exp(x))` along `axis`, a probability distribution.

    Args:
        x: Input tensor.
        axis: The axis (or tuple of axes, or None for all of them) that sums to 1.
    """
    x = as_tensor(x)
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        warnings.warn(
            f"softmax over axis {axis} of a tensor of shape {tuple(x.shape)}: the axis has "
            "size 1, so every output is 1. A sigmoid may be what was meant.",
            stacklevel=2,
        )
    if isinstance(axis, int):
        if x.shape[axis] <= _SHORT_AXIS and not (x.requires_grad and torch.is_grad_enabled()) \
                and x.device.type == "cpu" and x.dtype in (torch.float32, torch.float64):
            return _short_axis_softmax(x, axis)
        # the crossentropy losses may start from x (see _logits.py)
        return keep_logits(F.softmax(x, dim=axis), x, "softmax", axis)
    return _along(F.softmax, x, axis)


_SHORT_AXIS = 32  # measured: torch 2.13's CPU softmax kernel is 2-5x slower up to here


def _short_axis_softmax(x: torch.Tensor, axis: int) -> torch.Tensor:
    """Softmax for inference over a short axis (a classifier's 10 classes): the same formula
    as torch's kernel, op by op (equal up to one float rounding), several times faster."""
    exp = (x - x.amax(dim=axis, keepdim=True)).exp_()
    return exp.div_(exp.sum(dim=axis, keepdim=True))


@builtin
def log_softmax(x, axis: int | tuple[int, ...] | None = -1) -> torch.Tensor:
    """`x - log(sum(exp(x)))` along `axis` (or axes; None for all), computed stably."""
    return _along(F.log_softmax, as_tensor(x), axis)


@builtin
def sparsemax(x, axis: int = -1) -> torch.Tensor:
    """Euclidean projection of `x` onto the probability simplex along `axis`.

    Like softmax the outputs sum to 1, but small logits get exactly 0
    (Martins & Astudillo, 2016).
    """
    x = as_tensor(x)
    ranked, _ = torch.sort(x, dim=axis, descending=True)
    cumulative = torch.cumsum(ranked, dim=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    rank = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device).view(shape)
    support = ranked - (cumulative - 1) / rank > 0
    size = torch.sum(support, dim=axis, keepdim=True)
    # The support is a prefix of the ranked logits: the threshold uses their sum.
    supported_sum = torch.sum(torch.where(support, ranked, 0.0), dim=axis, keepdim=True)
    tau = (supported_sum - 1) / size
    return torch.clamp(x - tau, min=0.0)


@builtin
def glu(x, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: split `x` in halves `a, b` along `axis`, return `a * sigmoid(b)`."""
    x = as_tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu needs an even size along axis {axis}. "
                         f"Received: x.shape={tuple(x.shape)}")
    return F.glu(x, dim=axis)


def _along(fn, x: torch.Tensor, axis) -> torch.Tensor:
    """Apply a `dim=`-reducing function over one axis, several axes, or all (None)."""
    if axis is None:
        return fn(x.reshape(-1), dim=-1).reshape(x.shape)
    if isinstance(axis, int):
        return fn(x, dim=axis)
    source = [a % x.ndim for a in axis]
    target = list(range(x.ndim - len(source), x.ndim))
    moved = torch.movedim(x, source, target)
    flat = moved.reshape(*moved.shape[: x.ndim - len(source)], -1)
    return torch.movedim(fn(flat, dim=-1).reshape(moved.shape), target, source)
