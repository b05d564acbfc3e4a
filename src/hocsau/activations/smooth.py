"""Smooth approximations of the rectifier: softplus and its relatives."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau.activations._builtin import as_tensor, builtin


@builtin
def softplus(x) -> torch.Tensor:
    """`log(exp(x) + 1)`."""
    return F.softplus(as_tensor(x))


@builtin
def softsign(x) -> torch.Tensor:
    """`x / (abs(x) + 1)`."""
    return F.softsign(as_tensor(x))


@builtin
def squareplus(x, b: float = 4) -> torch.Tensor:
    """`(x + sqrt(x**2 + b)) / 2`, a smooth rectifier; `b` sets the curvature near 0."""
    x = as_tensor(x)
    return (x + torch.sqrt(x**2 + b)) / 2


@builtin
def sparse_plus(x) -> torch.Tensor:
    """0 for `x <= -1`, `(x + 1)**2 / 4` for `-1 < x < 1`, and `x` for `x >= 1`."""
    x = as_tensor(x)
    inner = torch.where(x < 1, 0.25 * (x + 1) ** 2, x)
    return torch.where(x <= -1, torch.zeros_like(x), inner)


@builtin
def exponential(x) -> torch.Tensor:
    """`exp(x)`."""
    return torch.exp(as_tensor(x))


@builtin
def linear(x):
    """The identity: returns `x` unchanged."""
    return x
