"""Crossentropies over classes: one-hot labels (categorical, focal), integer labels (sparse,
generalized). Probabilities are renormalized to sum to 1 and clipped to [epsilon, 1 - epsilon]
(from a softmax output's own logits where it has them: see activations/_logits.py); logits go
through log_softmax."""

from __future__ import annotations

import functools
import math
import warnings

import torch
import torch.nn.functional as F

from hocsau import config
from hocsau.activations._logits import logits_behind
from hocsau.losses.loss import prepare, set_mask, to_tensor
from hocsau.losses.wrapper import BuiltinLoss, integer_labels, loss_function
from hocsau.saving.serialization import keras_class

_SUM = "sum_over_batch_size"


def _check_class_axis(fn_name: str, y_pred: torch.Tensor, axis) -> None:
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")
    if y_pred.shape[-1] == 1:
        warnings.warn(f"In loss {fn_name}, expected y_pred.shape to be (batch_size, num_classes) "
                      f"with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. "
                      "Consider using 'binary_crossentropy' if you only have 2 classes.",
                      SyntaxWarning, stacklevel=3)


def _smooth_categorical(y_true: torch.Tensor, label_smoothing: float) -> torch.Tensor:
    # Spread `label_smoothing` of the mass evenly over all classes (of the last axis).
    if not label_smoothing:
        return y_true
    return y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]


def _clipped_probabilities(y_pred: torch.Tensor, axis: int) -> torch.Tensor:
    eps = config.epsilon()
    return torch.clamp(y_pred / y_pred.sum(dim=axis, keepdim=True), eps, 1.0 - eps)


def _log_probabilities(y_pred: torch.Tensor, axis: int) -> torch.Tensor:
    """log of `_clipped_probabilities`; from the logits when y_pred is a softmax output that
    carries them: log_softmax clamped to the logs of the clipping bounds, the same numbers
    and gradient (zero where clipped) without the probability-space round trip."""
    logits = logits_behind(y_pred, "softmax", axis)
    bounds = _log_bounds(config.epsilon(), y_pred.dtype) if logits is not None else None
    if bounds is None:
        return torch.log(_clipped_probabilities(y_pred, axis))
    return torch.clamp(F.log_softmax(logits, dim=axis), *bounds)


@functools.lru_cache(maxsize=8)
def _log_bounds(eps: float, dtype: torch.dtype) -> tuple[float, float] | None:
    """The logs of the clipping bounds as `dtype` rounds them (Keras clips in that dtype);
    None where log-space clipping would not reproduce Keras's numbers: an epsilon of 0 (Keras
    then takes log(0)) or half precision (rounded differently)."""
    if dtype not in (torch.float32, torch.float64) or not 0.0 < eps < 0.5:
        return None
    low, high = torch.tensor([eps, 1.0 - eps], dtype=dtype).tolist()
    return math.log(low), math.log(high)


@loss_function
def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """-sum(y_true * log(y_pred)) over the class axis.

    Args:
        y_true: one-hot (or soft) labels, the shape of y_pred.
        y_pred: probabilities (renormalized to sum to 1), or logits when `from_logits`.
        from_logits: whether y_pred holds logits.
        label_smoothing: in [0, 1]; this much of each label is spread over all classes.
        axis: the class axis.
    """
    y_true, y_pred = prepare(y_true, y_pred)
    _check_class_axis("categorical_crossentropy", y_pred, axis)
    y_true = _smooth_categorical(y_true, label_smoothing)
    if y_true.shape != y_pred.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={y_true.shape}, output.shape={y_pred.shape}")
    if y_pred.dim() < 1:
        raise ValueError("Arguments `target` and `output` must be at least rank 1. Received: "
                         f"target.shape={y_true.shape}, output.shape={y_pred.shape}")
    log_prob = F.log_softmax(y_pred, dim=axis) if from_logits else _log_probabilities(y_pred, axis)
    return -torch.sum(y_true * log_prob, dim=axis)


@loss_function
def categorical_focal_crossentropy(y_true, y_pred, alpha: float = 0.25, gamma: float = 2.0,
                                   from_logits: bool = False, label_smoothing: float = 0.0,
                                   axis: int = -1) -> torch.Tensor:
    """Categorical crossentropy with each class term scaled by alpha * (1 - p) ** gamma.

    Args:
        y_true, y_pred, from_logits, label_smoothing, axis: as for `categorical_crossentropy`.
        alpha: the weight of every class term.
        gamma: the focusing exponent; confident right answers count less as it grows.
    """
    y_true, y_pred = prepare(y_true, y_pred)
    _check_class_axis("categorical_focal_crossentropy", y_pred, axis)
    y_true = _smooth_categorical(y_true, label_smoothing)
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    output = _clipped_probabilities(y_pred, axis)
    cce = -y_true * torch.log(output)
    return torch.sum(torch.pow(1.0 - output, gamma) * alpha * cce, dim=axis)


@loss_function
@integer_labels
def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    ignore_class: int | None = None,
                                    axis: int = -1) -> torch.Tensor:
    """Crossentropy of integer class labels, without building one-hot labels.

    Args:
        y_true: class indices, the shape of y_pred without its class axis (or with it of size 1).
        y_pred: probabilities (renormalized to sum to 1), or logits when `from_logits`.
        from_logits: whether y_pred holds logits.
        ignore_class: a label value whose entries get loss 0 and are masked out of the mean.
        axis: the class axis.
    """
    y_pred = to_tensor(y_pred)
    target = to_tensor(y_true, device=y_pred.device).long()
    if target.dim() == y_pred.dim() and target.shape[axis] == 1:
        target = target.squeeze(axis)
    if y_pred.dim() < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: "
                         f"output.shape={y_pred.shape}")
    expected = list(y_pred.shape)
    del expected[axis]
    if list(target.shape) != expected:
        hint = (" (labels shaped like the predictions look one-hot: use "
                "categorical_crossentropy for them)" if target.shape == y_pred.shape else "")
        raise ValueError("Arguments `target` and `output` must have the same shape up until the "
                         f"last dimension{hint}: target.shape={tuple(target.shape)}, "
                         f"output.shape={tuple(y_pred.shape)}")
    ignore_index = -100 if ignore_class is None else int(ignore_class)
    try:
        result = _class_first_nll(target, y_pred, from_logits, axis, ignore_index)
    except IndexError:
        raise label_range_error(target, y_pred.shape[axis], ignore_index) from None
    if ignore_class is not None:
        set_mask(result, target != ignore_index)
    return result


def label_range_error(target: torch.Tensor, classes: int, ignore_index: int) -> ValueError:
    """The error for labels outside [0, classes) (other than `ignore_index`). Built only after
    torch rejected a label, or by `fit` on host data, so correct batches pay nothing for it."""
    bad = target[((target < 0) | (target >= classes)) & (target != ignore_index)]
    values = sorted(set(bad.unique().tolist()))
    return ValueError(
        f"sparse_categorical_crossentropy received labels outside the valid range [0, {classes}): "
        f"the model predicts {classes} classes, so integer labels must be 0 to {classes - 1}. "
        f"Received: label values {values[:10]}")


def _class_first_nll(target: torch.Tensor, output: torch.Tensor, from_logits: bool, axis: int,
                     ignore_index: int) -> torch.Tensor:
    # torch's losses want the class axis second: (batch, classes, ...) against (batch, ...).
    vector = output.dim() == 1
    if not from_logits:
        output = _log_probabilities(output, axis)
    if vector:
        output, target = output.unsqueeze(0), target.unsqueeze(0)
    else:
        # torch's nll_loss2d backward rejects the channels-last strides that moving the
        # class axis of (batch, h, w, classes) gives ("grad_input must be contiguous").
        output = output.movedim(axis % output.dim(), 1)
        output = output if from_logits else output.contiguous()
    if from_logits:
        result = F.cross_entropy(output, target, reduction="none", ignore_index=ignore_index)
    else:
        result = F.nll_loss(output, target, reduction="none", ignore_index=ignore_index)
    return result.squeeze(0) if vector else result


@loss_function
def categorical_generalized_cross_entropy(y_true, y_pred, q: float) -> torch.Tensor:
    """(1 - p ** q) / q, where p is the probability y_pred gives the integer label y_true.

    Robust to noisy labels: q -> 0 approaches crossentropy, q = 1 is mean absolute error.
    """
    y_pred = to_tensor(y_pred)
    labels = to_tensor(y_true, device=y_pred.device).long()
    if labels.dim() == y_pred.dim() and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    p = torch.gather(y_pred, -1, labels.unsqueeze(-1)).squeeze(-1)
    return (1 - torch.pow(p, q)) / q


@keras_class("keras.losses")
class CategoricalCrossentropy(BuiltinLoss):
    """Crossentropy of one-hot labels (see `categorical_crossentropy`).

    Args:
        from_logits: whether predictions are logits rather than probabilities.
        label_smoothing: in [0, 1]; this much of each label is spread over all classes.
        axis: the class axis.
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _SUM, name: str = "categorical_crossentropy",
                 dtype=None):
        super().__init__(categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


@keras_class("keras.losses")
class CategoricalFocalCrossentropy(BuiltinLoss):
    """Focal crossentropy of one-hot labels (see `categorical_focal_crossentropy`).

    Args:
        alpha: the weight of every class term.
        gamma: the focusing exponent.
        from_logits, label_smoothing, axis: as for `CategoricalCrossentropy`.
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1, reduction: str | None = _SUM,
                 name: str = "categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, reduction, name, dtype, alpha=alpha,
                         gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing,
                         axis=axis)


@keras_class("keras.losses")
class SparseCategoricalCrossentropy(BuiltinLoss):
    """Crossentropy of integer labels (see `sparse_categorical_crossentropy`).

    Args:
        from_logits: whether predictions are logits rather than probabilities.
        ignore_class: a label value to leave out of the loss (e.g. padding).
        reduction, name, dtype: as for `Loss`.
        axis: the class axis.
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str | None = _SUM, axis: int = -1,
                 name: str = "sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)


@keras_class("keras.losses")
class CategoricalGeneralizedCrossEntropy(BuiltinLoss):
    """Generalized crossentropy of integer labels, robust to label noise
    (see `categorical_generalized_cross_entropy`).

    Args:
        q: in (0, 1); towards 0 it behaves like crossentropy, towards 1 like mean absolute error.
        reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, q: float = 0.5, reduction: str | None = _SUM,
                 name: str = "categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"q must be in the interval (0, 1). Received: q={q}")
        super().__init__(categorical_generalized_cross_entropy, reduction, name, dtype, q=q)
