"""Squashing activations: sigmoid and tanh, their hard and sparse variants."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau.activations._builtin import as_tensor, builtin


@builtin
def sigmoid(x) -> torch.Tensor:
    """`1 / (1 + exp(-x))`."""
    return torch.sigmoid(as_tensor(x))


@builtin
def hard_sigmoid(x) -> torch.Tensor:
    """Piecewise-linear sigmoid: `relu6(x + 3) / 6` (0 below -3, 1 above 3)."""
    return F.hardsigmoid(as_tensor(x))


@builtin
def sparse_sigmoid(x) -> torch.Tensor:
    """0 for `x <= -1`, 1 for `x >= 1`, and `(x + 1) / 2` between."""
    return torch.clamp(0.5 * (as_tensor(x) + 1), 0, 1)


@builtin
def log_sigmoid(x) -> torch.Tensor:
    """`log(sigmoid(x))`, computed stably."""
    return F.logsigmoid(as_tensor(x))


@builtin
def tanh(x) -> torch.Tensor:
    """Hyperbolic tangent."""
    return torch.tanh(as_tensor(x))


@builtin
def hard_tanh(x) -> torch.Tensor:
    """`x` clipped to [-1, 1]."""
    return F.hardtanh(as_tensor(x))
