"""Weight penalties with Keras's names, configs and formulas: L1, L2, L1L2, orthogonality.

A regularizer is called on a tensor and returns a scalar tensor that is added to the loss.
"""

from __future__ import annotations

import math

import torch

from hocsau.config import epsilon
from hocsau.initializers._lookup import family_functions
from hocsau.ops._convert import tensor
from hocsau.saving.serialization import keras_class, serialize_keras_object


class Regularizer:
    """Base class: `__call__(x)` returns a scalar penalty; subclasses define `get_config`
    when their constructor takes arguments.
    """

    def __call__(self, x: torch.Tensor) -> torch.Tensor | float:
        """The penalty for `x` (the base class penalizes nothing)."""
        return 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        return cls(**config)


@keras_class("keras.regularizers")
class L1L2(Regularizer):
    """`l1 * sum(abs(x)) + l2 * sum(x**2)`.

    Args:
        l1: Non-negative L1 factor (None means 0).
        l2: Non-negative L2 factor (None means 0).
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        x = tensor(x)
        penalty = torch.zeros((), dtype=x.dtype, device=x.device)
        if self.l1:
            penalty = penalty + self.l1 * torch.sum(torch.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * torch.sum(torch.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


@keras_class("keras.regularizers")
class L1(Regularizer):
    """`l1 * sum(abs(x))`.

    Args:
        l1: Non-negative factor (None means the default 0.01).
    """

    def __init__(self, l1: float = 0.01):
        self.l1 = _factor(0.01 if l1 is None else l1, "l1")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        x = tensor(x)
        return self.l1 * torch.sum(torch.abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


@keras_class("keras.regularizers")
class L2(Regularizer):
    """`l2 * sum(x**2)` (no 1/2 factor).

    Args:
        l2: Non-negative factor (None means the default 0.01).
    """

    def __init__(self, l2: float = 0.01):
        self.l2 = _factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        x = tensor(x)
        return self.l2 * torch.sum(torch.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


@keras_class("keras.regularizers")
class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2D weight towards mutual orthogonality.

    The penalty is `factor / 2` times the mean absolute cosine similarity over all distinct
    pairs of L2-normalized rows (`mode="rows"`) or columns (`mode="columns"`).

    Args:
        factor: Non-negative regularization factor.
        mode: "rows" or "columns".
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _factor(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError('Invalid value for argument `mode`. Expected one of {"rows", '
                             f'"columns"}}. Received: mode={mode}')
        self.mode = mode

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        inputs = tensor(inputs)
        if inputs.ndim != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. "
                             f"Received: inputs.shape={tuple(inputs.shape)}")
        vectors = inputs if self.mode == "rows" else inputs.T
        # L2 normalization as Keras does it: x * min(rsqrt(sum(x**2)), 1 / epsilon).
        inverse_norm = torch.rsqrt(torch.sum(torch.square(vectors), dim=1, keepdim=True))
        vectors = vectors * torch.clamp(inverse_norm, max=1.0 / epsilon())
        size = vectors.shape[0]
        off_diagonal = (vectors @ vectors.T) * (1.0 - torch.eye(size, dtype=vectors.dtype,
                                                                device=vectors.device))
        pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * torch.sum(torch.abs(off_diagonal)) / pairs

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


def _factor(value, name: str) -> float:
    """A penalty factor as a float: finite and non-negative, else a Keras-worded error."""
    if (not isinstance(value, (int, float)) or isinstance(value, bool)
            or math.isinf(value) or math.isnan(value) or value < 0):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value}")
    return float(value)


ALL_OBJECTS_DICT: dict[str, type] = {
    "Regularizer": Regularizer, "L1": L1, "L2": L2, "L1L2": L1L2,
    "OrthogonalRegularizer": OrthogonalRegularizer, "regularizer": Regularizer, "l1": L1,
    "l2": L2, "l1l2": L1L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer,
}

# Keras's lowercase aliases of the classes.
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer


def serialize(regularizer):
    """A regularizer as a Keras config dict."""
    return serialize_keras_object(regularizer)

deserialize, get = family_functions("regularizer", ALL_OBJECTS_DICT)

__all__ = ["L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "deserialize", "get",
           "l1", "l1_l2", "l2", "orthogonal_regularizer", "serialize"]
