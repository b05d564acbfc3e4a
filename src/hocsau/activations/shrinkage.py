"""Shrinkage activations: push small values to zero."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau.activations._builtin import as_tensor, builtin


@builtin
def soft_shrink(x, threshold: float = 0.5) -> torch.Tensor:
    """`x - threshold` above `threshold`, `x + threshold` below `-threshold`, 0 between."""
    return F.softshrink(as_tensor(x), threshold)


@builtin
def hard_shrink(x, threshold: float = 0.5) -> torch.Tensor:
    """`x` where `abs(x) > threshold`, 0 elsewhere."""
    return F.hardshrink(as_tensor(x), threshold)


@builtin
def tanh_shrink(x) -> torch.Tensor:
    """`x - tanh(x)`."""
    return F.tanhshrink(as_tensor(x))


@builtin
def threshold(x, threshold: float, default_value: float) -> torch.Tensor:
    """`x` where `x > threshold`, `default_value` elsewhere."""
    return F.threshold(as_tensor(x), threshold, default_value)
