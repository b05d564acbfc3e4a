"""Rectifiers: ReLU and its piecewise-linear and exponential variants."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau.activations._builtin import as_tensor, builtin


@builtin
def relu(x, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> torch.Tensor:
    """Rectified linear unit, with Keras's optional leak, ceiling and threshold.

    With the defaults this is `max(x, 0)`. Otherwise values above `threshold` pass through
    (clipped at `max_value` when given) and values below it become
    `negative_slope * (x - threshold)`.

    Args:
        x: Input tensor.
        negative_slope: Slope for values below `threshold`.
        max_value: Largest value returned, or None for no ceiling.
        threshold: Values at or below it are damped (or zeroed).
    """
    x = as_tensor(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return F.leaky_relu(x, negative_slope)
    below = F.relu(threshold - x) if negative_slope != 0.0 else None
    if threshold != 0:
        y = torch.where(x > threshold, x, torch.zeros((), dtype=x.dtype, device=x.device))
    elif max_value == 6:
        y, max_value = F.relu6(x), None  # the fused kernel already clips
    else:
        y = F.relu(x)
    if max_value is not None:
        y = torch.clamp(y, 0, max_value)
    return y if below is None else y - negative_slope * below


@builtin
def relu6(x) -> torch.Tensor:
    """`min(max(x, 0), 6)`."""
    return F.relu6(as_tensor(x))


@builtin
def leaky_relu(x, negative_slope: float = 0.2) -> torch.Tensor:
    """`x` for positive values, `negative_slope * x` otherwise."""
    return F.leaky_relu(as_tensor(x), negative_slope)


@builtin
def elu(x, alpha: float = 1.0) -> torch.Tensor:
    """Exponential linear unit: `x` if `x > 0`, else `alpha * (exp(x) - 1)`."""
    return F.elu(as_tensor(x), alpha)


@builtin
def selu(x) -> torch.Tensor:
    """Scaled ELU with the self-normalizing constants (alpha=1.67326324, scale=1.05070098).

    Pair it with the `lecun_normal` initializer.
    """
    return F.selu(as_tensor(x))


@builtin
def celu(x, alpha: float = 1.0) -> torch.Tensor:
    """Continuously differentiable ELU: `max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))`."""
    return F.celu(as_tensor(x), alpha)


@builtin
def gelu(x, approximate: bool = False) -> torch.Tensor:
    """Gaussian error linear unit, `x * P(X <= x)` for a standard normal `X`.

    Args:
        x: Input tensor.
        approximate: Use the tanh approximation instead of the exact erf form.
    """
    return F.gelu(as_tensor(x), approximate="tanh" if approximate else "none")


@builtin
def silu(x) -> torch.Tensor:
    """Swish / SiLU: `x * sigmoid(x)`."""
    return F.silu(as_tensor(x))


@builtin
def hard_silu(x) -> torch.Tensor:
    """Hard swish: `x * relu6(x + 3) / 6`."""
    return F.hardswish(as_tensor(x))


@builtin
def mish(x) -> torch.Tensor:
    """`x * tanh(softplus(x))`."""
    return F.mish(as_tensor(x))
