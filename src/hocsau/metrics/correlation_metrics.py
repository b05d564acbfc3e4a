"""Correlation metrics: Pearson's and Lin's concordance correlation along an axis, averaged
over the samples seen."""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.metrics import _utils
from hocsau.metrics.reduction_metrics import FixedFunctionMean
from hocsau.saving.serialization import keras_class


def _prepared(y_true, y_pred):
    y_true, y_pred = _utils.labels_and_predictions(y_true, y_pred)
    return _utils.same_rank(y_true, y_pred)


@_utils.metric_function
def pearson_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Pearson's correlation coefficient of y_true and y_pred along `axis`, in [-1, 1]."""
    y_true, y_pred = _prepared(y_true, y_pred)
    true_centered = y_true - y_true.mean(dim=axis, keepdim=True)
    pred_centered = y_pred - y_pred.mean(dim=axis, keepdim=True)
    true_centered = true_centered / true_centered.std(dim=axis, keepdim=True, correction=0)
    pred_centered = pred_centered / pred_centered.std(dim=axis, keepdim=True, correction=0)
    return (true_centered * pred_centered).mean(dim=axis)


@_utils.metric_function
def concordance_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Lin's concordance correlation coefficient of y_true and y_pred along `axis`.

    As in Keras 3.15, the covariance term centres `y_true` on the mean of `y_pred`.
    """
    y_true, y_pred = _prepared(y_true, y_pred)
    true_mean = y_true.mean(dim=axis, keepdim=True)
    pred_mean = y_pred.mean(dim=axis, keepdim=True)
    true_var = (y_true - true_mean).var(dim=axis, keepdim=True, correction=0)
    pred_var = (y_pred - pred_mean).var(dim=axis, keepdim=True, correction=0)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + torch.square(true_mean - pred_mean)
    return (2 * covariance / (norm + config.epsilon())).mean(dim=axis)


@keras_class("keras.metrics")
class PearsonCorrelation(FixedFunctionMean):
    """The mean Pearson correlation between labels and predictions along `axis`.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
        axis: the axis the correlation is taken along.
    """

    _direction = "up"

    def __init__(self, name: str = "pearson_correlation", dtype=None, axis: int = -1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)


@keras_class("keras.metrics")
class ConcordanceCorrelation(FixedFunctionMean):
    """The mean concordance correlation between labels and predictions along `axis`.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
        axis: the axis the correlation is taken along.
    """

    _direction = "up"

    def __init__(self, name: str = "concordance_correlation", dtype=None, axis: int = -1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
