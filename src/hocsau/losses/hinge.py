"""Hinge losses, for maximum-margin classifiers: labels are -1 or 1 (0 / 1 labels are
converted), predictions are scores."""

from __future__ import annotations

import torch

from hocsau.losses.loss import prepare
from hocsau.losses.wrapper import BuiltinLoss, loss_function
from hocsau.saving.serialization import keras_class

_SUM = "sum_over_batch_size"


def convert_binary_labels_to_hinge(y_true: torch.Tensor) -> torch.Tensor:
    """Map labels to -1 / 1 when all of them are 0 or 1; leave other labels unchanged."""
    is_binary = ((y_true == 0) | (y_true == 1)).all()
    # Both branches are computed: choosing on the device avoids reading `is_binary` on the host.
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def _margin_violations(y_true, y_pred) -> torch.Tensor:
    y_true, y_pred = prepare(y_true, y_pred)
    return torch.clamp(1.0 - convert_binary_labels_to_hinge(y_true) * y_pred, min=0.0)


@loss_function
def hinge(y_true, y_pred) -> torch.Tensor:
    """mean(max(1 - y_true * y_pred, 0)) over the last axis."""
    return _margin_violations(y_true, y_pred).mean(dim=-1)


@loss_function
def squared_hinge(y_true, y_pred) -> torch.Tensor:
    """mean(max(1 - y_true * y_pred, 0) ** 2) over the last axis."""
    return torch.square(_margin_violations(y_true, y_pred)).mean(dim=-1)


@loss_function
def categorical_hinge(y_true, y_pred) -> torch.Tensor:
    """max(neg - pos + 1, 0): pos is the true class's score, neg the best other score.

    Labels are one-hot over the last axis.
    """
    y_true, y_pred = prepare(y_true, y_pred)
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(neg - pos + 1.0, min=0.0)


@keras_class("keras.losses")
class Hinge(BuiltinLoss):
    """Hinge loss (see `hinge`).

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction: str | None = _SUM, name: str = "hinge", dtype=None):
        super().__init__(hinge, reduction, name, dtype)


@keras_class("keras.losses")
class SquaredHinge(BuiltinLoss):
    """Squared hinge loss (see `squared_hinge`).

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction: str | None = _SUM, name: str = "squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction, name, dtype)


@keras_class("keras.losses")
class CategoricalHinge(BuiltinLoss):
    """Categorical hinge loss of one-hot labels (see `categorical_hinge`).

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction: str | None = _SUM, name: str = "categorical_hinge",
                 dtype=None):
        super().__init__(categorical_hinge, reduction, name, dtype)
