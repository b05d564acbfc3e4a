"""Regression losses: squared, absolute, percentage and logarithmic errors, Huber, log-cosh and
cosine similarity. Each function returns one loss per sample (the mean over the last axis)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from hocsau import config
from hocsau.losses.loss import prepare
from hocsau.losses.wrapper import BuiltinLoss, loss_function
from hocsau.saving.serialization import keras_class

_SUM = "sum_over_batch_size"


@loss_function
def mean_squared_error(y_true, y_pred) -> torch.Tensor:
    """mean((y_true - y_pred) ** 2) over the last axis."""
    y_true, y_pred = prepare(y_true, y_pred, same_rank=True)
    return torch.square(y_true - y_pred).mean(dim=-1)


@loss_function
def mean_absolute_error(y_true, y_pred) -> torch.Tensor:
    """mean(|y_true - y_pred|) over the last axis."""
    y_true, y_pred = prepare(y_true, y_pred, same_rank=True)
    return torch.abs(y_true - y_pred).mean(dim=-1)


@loss_function
def mean_absolute_percentage_error(y_true, y_pred) -> torch.Tensor:
    """100 * mean(|y_true - y_pred| / max(|y_true|, epsilon)) over the last axis."""
    y_true, y_pred = prepare(y_true, y_pred, same_rank=True)
    diff = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=config.epsilon()))
    return 100.0 * diff.mean(dim=-1)


@loss_function
def mean_squared_logarithmic_error(y_true, y_pred) -> torch.Tensor:
    """mean((log(y_pred + 1) - log(y_true + 1)) ** 2), both clipped below at epsilon."""
    y_true, y_pred = prepare(y_true, y_pred, same_rank=True)
    eps = config.epsilon()
    first_log = torch.log(torch.clamp(y_pred, min=eps) + 1.0)
    second_log = torch.log(torch.clamp(y_true, min=eps) + 1.0)
    return torch.square(first_log - second_log).mean(dim=-1)


@loss_function
def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Minus the cosine of the angle between y_true and y_pred along `axis`, in [-1, 1]."""
    y_true, y_pred = prepare(y_true, y_pred, same_rank=True)
    return -torch.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), dim=axis)


def l2_normalize(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """x / ||x|| along `axis`, with the inverse norm capped at 1 / epsilon (zero stays zero)."""
    inv_norm = torch.rsqrt(torch.square(x).sum(dim=axis, keepdim=True))
    return x * torch.clamp(inv_norm, max=1.0 / config.epsilon())


@loss_function
def huber(y_true, y_pred, delta: float = 1.0) -> torch.Tensor:
    """Quadratic for errors up to `delta`, linear beyond: mean over the last axis of
    0.5 * e**2 if |e| <= delta else delta * |e| - 0.5 * delta**2."""
    y_true, y_pred = prepare(y_true, y_pred, same_rank=True)
    error = y_pred - y_true
    abs_error = torch.abs(error)
    quadratic = 0.5 * torch.square(error)
    linear = delta * abs_error - 0.5 * delta**2
    return torch.where(abs_error <= delta, quadratic, linear).mean(dim=-1)


@loss_function
def log_cosh(y_true, y_pred) -> torch.Tensor:
    """mean(log(cosh(y_pred - y_true))) over the last axis, computed without overflow."""
    y_true, y_pred = prepare(y_true, y_pred, same_rank=True)
    x = y_pred - y_true
    # log(cosh(x)) = x + log(1 + exp(-2x)) - log(2); softplus keeps exp from overflowing.
    return (x + F.softplus(x * -2.0) - math.log(2.0)).mean(dim=-1)


@keras_class("keras.losses")
class MeanSquaredError(BuiltinLoss):
    """Mean of squares of errors between labels and predictions (see `mean_squared_error`).

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction: str | None = _SUM, name: str = "mean_squared_error",
                 dtype=None):
        super().__init__(mean_squared_error, reduction, name, dtype)


@keras_class("keras.losses")
class MeanAbsoluteError(BuiltinLoss):
    """Mean of absolute errors between labels and predictions (see `mean_absolute_error`).

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction: str | None = _SUM, name: str = "mean_absolute_error",
                 dtype=None):
        super().__init__(mean_absolute_error, reduction, name, dtype)


@keras_class("keras.losses")
class MeanAbsolutePercentageError(BuiltinLoss):
    """Mean absolute percentage error (see `mean_absolute_percentage_error`).

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction: str | None = _SUM,
                 name: str = "mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


@keras_class("keras.losses")
class MeanSquaredLogarithmicError(BuiltinLoss):
    """Mean squared logarithmic error (see `mean_squared_logarithmic_error`).

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction: str | None = _SUM,
                 name: str = "mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


@keras_class("keras.losses")
class CosineSimilarity(BuiltinLoss):
    """Minus the cosine similarity of labels and predictions (see `cosine_similarity`).

    Args:
        axis: the axis along which the similarity is computed.
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, axis: int = -1, reduction: str | None = _SUM,
                 name: str = "cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, reduction, name, dtype, axis=axis)


@keras_class("keras.losses")
class Huber(BuiltinLoss):
    """Huber loss: squared error for small errors, absolute error for large ones (see `huber`).

    Args:
        delta: the error size where the loss turns from quadratic to linear.
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, delta: float = 1.0, reduction: str | None = _SUM,
                 name: str = "huber_loss", dtype=None):
        super().__init__(huber, reduction, name, dtype, delta=delta)


@keras_class("keras.losses")
class LogCosh(BuiltinLoss):
    """Logarithm of the hyperbolic cosine of the prediction error (see `log_cosh`).

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction: str | None = _SUM, name: str = "log_cosh", dtype=None):
        super().__init__(log_cosh, reduction, name, dtype)
