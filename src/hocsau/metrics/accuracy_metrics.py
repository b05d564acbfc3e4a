"""Accuracy metrics: how often predictions match labels, as functions (one value per sample)
and as the running-mean metrics built on them.
"""

from __future__ import annotations

import torch

from hocsau.metrics import _utils
from hocsau.metrics.reduction_metrics import FixedFunctionMean
from hocsau.saving.serialization import keras_class


def _squeezed_labels(y_true: torch.Tensor, y_pred: torch.Tensor, need_unit_axis: bool):
    """Drop the trailing axis of labels given as (..., 1) beside (..., classes) predictions."""
    if y_true.dim() == y_pred.dim() and (not need_unit_axis or y_true.shape[-1] == 1):
        return y_true.squeeze(-1), True
    return y_true, False


def _argmax_matches(y_true: torch.Tensor, y_pred: torch.Tensor, need_unit_axis: bool):
    """1.0 where the integer labels equal the argmax of the predictions, else 0.0."""
    original_shape = y_true.shape
    y_true, reshape = _squeezed_labels(y_true, y_pred, need_unit_axis)
    predicted = _utils.argmax(y_pred).to(y_true.dtype)
    matches = _utils.floatx_tensor(y_true == predicted)
    return matches.reshape(original_shape) if reshape else matches


@_utils.metric_function
def accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where `y_true` equals `y_pred` exactly, else 0.0."""
    y_true, y_pred = _utils.labels_and_predictions(y_true, y_pred)
    y_true, y_pred = _utils.same_rank(y_true, y_pred)
    return _utils.floatx_tensor(y_true == y_pred)


@_utils.metric_function
def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> torch.Tensor:
    """1.0 where `y_pred > threshold` agrees with the 0/1 label `y_true`, else 0.0."""
    y_true, y_pred = _utils.labels_and_predictions(y_true, y_pred, true_dtype=None)
    y_true, y_pred = _utils.same_rank(y_true, y_pred)
    predicted = (y_pred > threshold).to(y_true.dtype)
    return _utils.floatx_tensor(y_true == predicted)


@_utils.metric_function
def categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where the argmax of one-hot `y_true` equals the argmax of `y_pred`, else 0.0."""
    y_true, y_pred = _utils.labels_and_predictions(y_true, y_pred, true_dtype=None)
    y_true = _utils.argmax(y_true).to(y_pred.dtype)
    return _argmax_matches(y_true, y_pred, need_unit_axis=False)


@_utils.metric_function
def sparse_categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where the integer label `y_true` equals the argmax of `y_pred`, else 0.0."""
    y_true, y_pred = _utils.labels_and_predictions(y_true, y_pred)
    matches = _argmax_matches(y_true, y_pred, need_unit_axis=True)
    if matches.dim() > 1 and matches.shape[-1] == 1:
        matches = matches.squeeze(-1)
    return matches


def _in_top_k(targets: torch.Tensor, y_pred: torch.Tensor, k: int) -> torch.Tensor:
    """Whether each target's score is at least the k-th largest score of its row."""
    kth_largest = y_pred.topk(k, dim=-1).values[..., -1:]
    target_scores = y_pred.gather(-1, targets.long()[:, None])
    return (target_scores >= kth_largest).any(dim=-1)


def _flat_top_k(y_true: torch.Tensor, y_pred: torch.Tensor, matches_fn) -> torch.Tensor:
    """Apply `matches_fn` to rows of (samples, classes) and give the result `y_true`'s shape."""
    original_shape = y_true.shape
    if y_pred.dim() > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    matches = _utils.floatx_tensor(matches_fn(y_true.reshape(-1), y_pred))
    return matches.reshape(original_shape) if len(original_shape) > 1 else matches


@_utils.metric_function
def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    """1.0 where the argmax of one-hot `y_true` is among the `k` highest scores of `y_pred`."""
    y_true, y_pred = _utils.labels_and_predictions(y_true, y_pred)
    y_true = _utils.argmax(y_true)
    return _flat_top_k(y_true, y_pred, lambda t, p: _in_top_k(t, p, k))


@_utils.metric_function
def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5,
                                      from_sorted_ids: bool = False) -> torch.Tensor:
    """1.0 where the integer label `y_true` is among the `k` highest scores of `y_pred`.

    With `from_sorted_ids=True`, `y_pred` holds class ids sorted by decreasing score, and the
    label only has to appear among its first `k` entries.
    """
    y_true, y_pred = _utils.labels_and_predictions(
        y_true, y_pred, true_dtype=None if from_sorted_ids else torch.int32)
    if from_sorted_ids:
        y_true = y_true.to(y_pred.dtype)
        return _flat_top_k(y_true, y_pred, lambda t, p: (t[:, None] == p[:, :k]).any(dim=1))
    return _flat_top_k(y_true, y_pred, lambda t, p: _in_top_k(t, p, k))


@keras_class("keras.metrics")
class Accuracy(FixedFunctionMean):
    """How often predictions equal labels exactly.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    _direction = "up"

    def __init__(self, name: str = "accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


@keras_class("keras.metrics")
class BinaryAccuracy(FixedFunctionMean):
    """How often `y_pred > threshold` matches the binary labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
        threshold: the probability above which a prediction counts as 1.
    """

    _direction = "up"

    def __init__(self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


@keras_class("keras.metrics")
class CategoricalAccuracy(FixedFunctionMean):
    """How often the predicted class (argmax) matches one-hot labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    _direction = "up"

    def __init__(self, name: str = "categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


@keras_class("keras.metrics")
class SparseCategoricalAccuracy(FixedFunctionMean):
    """How often the predicted class (argmax) matches integer labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    _direction = "up"

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


@keras_class("keras.metrics")
class TopKCategoricalAccuracy(FixedFunctionMean):
    """How often the one-hot label is among the `k` highest-scored classes.

    Args:
        k: how many top classes count as a hit.
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    _direction = "up"

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


@keras_class("keras.metrics")
class SparseTopKCategoricalAccuracy(FixedFunctionMean):
    """How often the integer label is among the `k` highest-scored classes.

    Args:
        k: how many top classes count as a hit.
        name: the metric's name.
        dtype: the dtype of the state and result.
        from_sorted_ids: whether `y_pred` holds class ids sorted by score rather than scores.
    """

    _direction = "up"

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids: bool = False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)

    def get_config(self) -> dict:
        config = super().get_config()
        if not self.from_sorted_ids:
            del config["from_sorted_ids"]  # Keras only writes it when set
        return config
