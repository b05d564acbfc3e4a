"""Losses between probabilities or rates: KL divergence, Poisson, and binary crossentropy with
its focal variant. Probabilities are clipped to [epsilon, 1 - epsilon] before any logarithm."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau import config
from hocsau.losses.loss import prepare
from hocsau.losses.wrapper import BuiltinLoss, loss_function
from hocsau.ops.nn_losses import binary_crossentropy_of_probabilities
from hocsau.saving.serialization import keras_class

_SUM = "sum_over_batch_size"


@loss_function
def kl_divergence(y_true, y_pred) -> torch.Tensor:
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [epsilon, 1]."""
    y_true, y_pred = prepare(y_true, y_pred)
    eps = config.epsilon()
    y_true = torch.clamp(y_true, eps, 1.0)
    y_pred = torch.clamp(y_pred, eps, 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


@loss_function
def poisson(y_true, y_pred) -> torch.Tensor:
    """mean(y_pred - y_true * log(y_pred + epsilon)) over the last axis."""
    y_true, y_pred = prepare(y_true, y_pred)
    return torch.mean(y_pred - y_true * torch.log(y_pred + config.epsilon()), dim=-1)


def elementwise_binary_crossentropy(target: torch.Tensor, output: torch.Tensor,
                                    from_logits: bool = False) -> torch.Tensor:
    """Binary crossentropy of each entry, from logits or from clipped probabilities."""
    if target.shape != output.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    return binary_crossentropy_of_probabilities(target, output)


def _smooth_binary(y_true: torch.Tensor, label_smoothing: float) -> torch.Tensor:
    # Labels move towards 0.5: 0 -> smoothing / 2, 1 -> 1 - smoothing / 2.
    if not label_smoothing:
        return y_true
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing


@loss_function
def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> torch.Tensor:
    """Binary crossentropy, averaged over `axis`.

    Args:
        y_true: labels in [0, 1], the shape of y_pred.
        y_pred: probabilities, or logits when `from_logits`.
        from_logits: whether y_pred holds logits.
        label_smoothing: in [0, 1]; labels are squeezed towards 0.5 by this much.
        axis: the axis the mean is taken over.
    """
    y_true, y_pred = prepare(y_true, y_pred)
    y_true = _smooth_binary(y_true, label_smoothing)
    return elementwise_binary_crossentropy(y_true, y_pred, from_logits).mean(dim=axis)


@loss_function
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                              label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Binary crossentropy scaled by (1 - p_t) ** gamma, averaged over `axis`.

    p_t is the probability given to the true class, so confident right answers count less.

    Args:
        y_true, y_pred, from_logits, label_smoothing, axis: as for `binary_crossentropy`.
        apply_class_balancing: weigh positives by `alpha` and negatives by 1 - alpha.
        alpha: the class balancing weight of positives.
        gamma: the focusing exponent; 0 gives plain binary crossentropy.
    """
    y_true, y_pred = prepare(y_true, y_pred)
    y_true = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    bce = elementwise_binary_crossentropy(y_true, y_pred)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return focal_bce.mean(dim=axis)


@keras_class("keras.losses")
class KLDivergence(BuiltinLoss):
    """Kullback-Leibler divergence from y_pred to y_true (see `kl_divergence`).

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction: str | None = _SUM, name: str = "kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction, name, dtype)


@keras_class("keras.losses")
class Poisson(BuiltinLoss):
    """Poisson loss of predicted rates (see `poisson`).

    Args:
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, reduction: str | None = _SUM, name: str = "poisson", dtype=None):
        super().__init__(poisson, reduction, name, dtype)


@keras_class("keras.losses")
class BinaryCrossentropy(BuiltinLoss):
    """Crossentropy of binary (0 / 1) labels (see `binary_crossentropy`).

    Args:
        from_logits: whether predictions are logits rather than probabilities.
        label_smoothing: in [0, 1]; labels are squeezed towards 0.5 by this much.
        axis: the axis the mean is taken over.
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _SUM, name: str = "binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


@keras_class("keras.losses")
class BinaryFocalCrossentropy(BuiltinLoss):
    """Focal crossentropy of binary labels (see `binary_focal_crossentropy`).

    Args:
        apply_class_balancing: weigh positives by `alpha` and negatives by 1 - alpha.
        alpha: the class balancing weight of positives.
        gamma: the focusing exponent.
        from_logits, label_smoothing, axis: as for `BinaryCrossentropy`.
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = _SUM,
                 name: str = "binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, reduction, name, dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
