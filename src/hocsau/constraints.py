"""Weight constraints with Keras's names and configs: projections applied after each update.

A constraint is called on a weight and returns the projected weight (same shape).
"""

from __future__ import annotations

import torch

from hocsau.config import epsilon
from hocsau.initializers._lookup import family_functions
from hocsau.saving.serialization import keras_class, serialize_keras_object


class Constraint:
    """Base class: `__call__(w)` returns the projected weight (the base returns `w`)."""

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Constraint:
        return cls(**config)


def _norms(w: torch.Tensor, axis) -> torch.Tensor:
    """L2 norms of `w` over `axis` (an int or a list of ints), kept for broadcasting."""
    dims = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return torch.sqrt(torch.sum(torch.square(w), dim=dims, keepdim=True))


@keras_class("keras.constraints")
class MaxNorm(Constraint):
    """Rescales the weights along `axis` whose L2 norm exceeds `max_value`.

    Args:
        max_value: The largest norm allowed.
        axis: Axis (or list of axes) the norm is taken over: 0 for a Dense kernel
            `(input_dim, units)`, `[0, 1, 2]` for a Conv2D kernel `(rows, cols, in, out)`.
    """

    def __init__(self, max_value: float = 2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self.axis)
        return w * (torch.clamp(norms, 0, self.max_value) / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


@keras_class("keras.constraints")
class MinMaxNorm(Constraint):
    """Moves the norms along `axis` into `[min_value, max_value]`, by `rate` per call.

    The new norm is `rate * clip(norm, min_value, max_value) + (1 - rate) * norm`.

    Args:
        min_value: The smallest norm allowed.
        max_value: The largest norm allowed.
        rate: 1.0 enforces the bounds at once; less moves towards them gradually.
        axis: Axis (or list of axes) the norm is taken over.
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self.axis)
        desired = (self.rate * torch.clamp(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


@keras_class("keras.constraints")
class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return torch.clamp(w, min=0)


@keras_class("keras.constraints")
class UnitNorm(Constraint):
    """Scales the weights along `axis` to unit L2 norm.

    Args:
        axis: Axis (or list of axes) the norm is taken over.
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w / (epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


ALL_OBJECTS_DICT: dict[str, type] = {
    "Constraint": Constraint, "MaxNorm": MaxNorm, "MinMaxNorm": MinMaxNorm, "NonNeg": NonNeg,
    "UnitNorm": UnitNorm, "constraint": Constraint, "max_norm": MaxNorm,
    "min_max_norm": MinMaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
}

# Keras's lowercase aliases of the classes.
max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm


def serialize(constraint):
    """A constraint as a Keras config dict."""
    return serialize_keras_object(constraint)

deserialize, get = family_functions("constraint", ALL_OBJECTS_DICT)

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "deserialize", "get",
           "max_norm", "min_max_norm", "non_neg", "serialize", "unit_norm"]
