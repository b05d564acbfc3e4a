"""Overlap losses for segmentation masks: Dice and its weighted generalization, Tversky.
`axis` picks the axes summed over (None: all of them, one loss for the whole batch)."""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.losses.loss import prepare
from hocsau.losses.wrapper import BuiltinLoss, loss_function
from hocsau.saving.serialization import keras_class

_SUM = "sum_over_batch_size"


@loss_function
def dice(y_true, y_pred, axis=None) -> torch.Tensor:
    """1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon) over `axis`."""
    y_true, y_pred = prepare(y_true, y_pred)
    intersection = torch.sum(y_true * y_pred, dim=axis)
    union = torch.sum(y_true, dim=axis) + torch.sum(y_pred, dim=axis)
    return 1 - 2.0 * intersection / (union + config.epsilon())


@loss_function
def tversky(y_true, y_pred, alpha: float = 0.5, beta: float = 0.5, axis=None) -> torch.Tensor:
    """1 - TP / (TP + alpha * FP + beta * FN + epsilon), soft counts summed over `axis`.

    Here FP = sum((1 - y_pred) * y_true) and FN = sum(y_pred * (1 - y_true)), as Keras counts
    them; alpha = beta = 0.5 gives the Dice loss.
    """
    y_true, y_pred = prepare(y_true, y_pred)
    true_pos = torch.sum(y_true * y_pred, dim=axis)
    false_pos = torch.sum((1 - y_pred) * y_true, dim=axis)
    false_neg = torch.sum(y_pred * (1 - y_true), dim=axis)
    denominator = true_pos + false_pos * alpha + false_neg * beta + config.epsilon()
    return 1 - true_pos / denominator


@keras_class("keras.losses")
class Dice(BuiltinLoss):
    """Dice loss (see `dice`).

    Args:
        reduction, name, dtype: as for `Loss`.
        axis: the axes summed over; None sums over all.
    """

    def __init__(self, reduction: str | None = _SUM, name: str = "dice", axis=None,
                 dtype=None):
        super().__init__(dice, reduction, name, dtype, axis=axis)


@keras_class("keras.losses")
class Tversky(BuiltinLoss):
    """Tversky loss: Dice with separate weights on false positives and negatives
    (see `tversky`).

    Args:
        alpha: the weight of false positives.
        beta: the weight of false negatives.
        reduction, name, dtype: as for `Loss`.
        axis: the axes summed over; None sums over all.
    """

    def __init__(self, alpha: float = 0.5, beta: float = 0.5, reduction: str | None = _SUM,
                 name: str = "tversky", axis=None, dtype=None):
        super().__init__(tversky, reduction, name, dtype, alpha=alpha, beta=beta, axis=axis)
