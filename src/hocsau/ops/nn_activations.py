"""Activation functions of Keras's `ops.nn`, over `torch.nn.functional`.

Integer inputs are computed in `floatx()`, except for the piecewise-linear `relu` and `relu6`.
"""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from hocsau.ops._convert import floating, tensor
from hocsau.ops.dispatch import op


def _activation(name: str, torch_fn, summary: str):
    def fn(x):
        return torch_fn(floating(x))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = summary
    return op(fn)


def _sparse_sigmoid(x: torch.Tensor) -> torch.Tensor:
    return torch.clamp(0.5 * (x + 1.0), 0.0, 1.0)


def _sparse_plus(x: torch.Tensor) -> torch.Tensor:
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x < 1, 0.25 * (x + 1) ** 2, x))


sigmoid = _activation("sigmoid", torch.sigmoid, "`1 / (1 + exp(-x))`.")
sparse_sigmoid = _activation("sparse_sigmoid", _sparse_sigmoid,
                             "`(x + 1) / 2` clipped to [0, 1].")
hard_sigmoid = _activation("hard_sigmoid", F.hardsigmoid, "`relu6(x + 3) / 6`.")
log_sigmoid = _activation("log_sigmoid", F.logsigmoid, "`log(sigmoid(x))`, computed stably.")
silu = _activation("silu", F.silu, "`x * sigmoid(x)` (also called swish).")
hard_silu = _activation("hard_silu", F.hardswish, "`x * hard_sigmoid(x)`.")
softplus = _activation("softplus", F.softplus, "`log(1 + exp(x))`, computed stably.")
softsign = _activation("softsign", F.softsign, "`x / (1 + |x|)`.")
sparse_plus = _activation("sparse_plus", _sparse_plus,
                          "0 below -1, `x` above 1, `(x + 1)**2 / 4` in between.")
selu = _activation("selu", F.selu, "Scaled ELU with the self-normalizing constants.")
tanh_shrink = _activation("tanh_shrink", F.tanhshrink, "`x - tanh(x)`.")
hard_tanh = _activation("hard_tanh", F.hardtanh, "`x` clipped to [-1, 1].")
swish = silu
hard_swish = hard_silu


@op
def relu(x) -> torch.Tensor:
    """`max(x, 0)`."""
    return torch.relu(tensor(x))


@op
def relu6(x) -> torch.Tensor:
    """`min(max(x, 0), 6)`."""
    x = tensor(x)
    return torch.clamp(x, 0, 6)


@op
def leaky_relu(x, negative_slope=0.2) -> torch.Tensor:
    """`x` for positive inputs, `negative_slope * x` otherwise."""
    return F.leaky_relu(floating(x), negative_slope)


@op
def elu(x, alpha=1.0) -> torch.Tensor:
    """`x` for positive inputs, `alpha * (exp(x) - 1)` otherwise."""
    return F.elu(floating(x), alpha)


@op
def celu(x, alpha=1.0) -> torch.Tensor:
    """`max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))`."""
    return F.celu(floating(x), alpha)


@op
def gelu(x, approximate=True) -> torch.Tensor:
    """Gaussian error linear unit; the tanh approximation unless `approximate=False`."""
    return F.gelu(floating(x), approximate="tanh" if approximate else "none")


@op
def glu(x, axis=-1) -> torch.Tensor:
    """Gated linear unit: `a * sigmoid(b)` for the two halves `a, b` of `x` along `axis`."""
    return F.glu(floating(x), dim=axis)


@op
def hard_shrink(x, threshold=0.5) -> torch.Tensor:
    """`x` where `|x| > threshold`, else 0."""
    return F.hardshrink(floating(x), threshold)


@op
def soft_shrink(x, threshold=0.5) -> torch.Tensor:
    """`x` moved towards 0 by `threshold`, and 0 within `[-threshold, threshold]`."""
    return F.softshrink(floating(x), threshold)


@op
def squareplus(x, b=4) -> torch.Tensor:
    """`(x + sqrt(x**2 + b)) / 2`, a smooth relu."""
    x = floating(x)
    return (x + torch.sqrt(x * x + b)) / 2


@op
def threshold(x, threshold, default_value) -> torch.Tensor:
    """`x` where `x > threshold`, else `default_value`."""
    return F.threshold(floating(x), threshold, default_value)


def _over_axes(fn, x: torch.Tensor, axis) -> torch.Tensor:
    """Apply a last-axis `fn` over `axis`: an int, a tuple of axes, or None for all."""
    if isinstance(axis, int):
        return fn(x, axis)
    axes = tuple(range(x.ndim)) if axis is None else tuple(a % x.ndim for a in axis)
    kept = [d for d in range(x.ndim) if d not in axes]
    moved = x.permute(*kept, *axes)
    out = fn(moved.reshape(*[x.shape[d] for d in kept], -1), -1).reshape(moved.shape)
    return out.permute(*torch.argsort(torch.tensor(kept + list(axes))).tolist())


def _warn_single(x: torch.Tensor, axis) -> None:
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        warnings.warn(f"You are using a softmax over axis {axis} of a tensor of shape "
                      f"{tuple(x.shape)}. This axis has size 1. The softmax operation will "
                      "always return the value 1, which is likely not what you intended. "
                      "Did you mean to use a sigmoid instead?", stacklevel=3)


@op
def softmax(x, axis=-1) -> torch.Tensor:
    """`exp(x) / sum(exp(x))` over `axis` (an int, a tuple, or None for all axes)."""
    x = floating(x)
    _warn_single(x, axis)
    return _over_axes(lambda t, a: torch.softmax(t, dim=a), x, axis)


@op
def log_softmax(x, axis=-1) -> torch.Tensor:
    """`x - logsumexp(x)` over `axis` (an int, a tuple, or None for all axes)."""
    return _over_axes(lambda t, a: torch.log_softmax(t, dim=a), floating(x), axis)


@op
def sparsemax(x, axis=-1) -> torch.Tensor:
    """Euclidean projection of `x` onto the probability simplex along `axis` (sparse output).

    The threshold is `(sum of the k largest - 1) / k` (Martins & Astudillo, 2016); Keras 3.15
    sums the running totals instead, which gives all zeros once two entries are in the support.
    """
    x = floating(x)
    ordered = torch.sort(x, dim=axis, descending=True).values
    cumulative = torch.cumsum(ordered, dim=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    ranks = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device).reshape(shape)
    support = ordered - (cumulative - 1) / ranks > 0
    count = torch.sum(support, dim=axis, keepdim=True)
    tau = (torch.sum(torch.where(support, ordered, 0.0), dim=axis, keepdim=True) - 1) / count
    return torch.clamp(x - tau, min=0.0)
