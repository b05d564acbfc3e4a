"""F-scores: the weighted harmonic mean of precision and recall, per class or averaged."""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.metrics import _utils
from hocsau.metrics.metric import Metric
from hocsau.saving.serialization import keras_class

_AVERAGES = (None, "micro", "macro", "weighted")


def _check_arguments(average, beta, threshold) -> None:
    if average not in _AVERAGES:
        raise ValueError("Invalid `average` argument value. Expected one of: "
                         f"{{None, 'micro', 'macro', 'weighted'}}. Received: average={average}")
    if not isinstance(beta, float):
        raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                         f"Received: beta={beta} of type '{type(beta)}'")
    if beta <= 0.0:
        raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
    if threshold is None:
        return
    if not isinstance(threshold, float):
        raise ValueError("Invalid `threshold` argument value. It should be a Python float. "
                         f"Received: threshold={threshold} of type '{type(threshold)}'")
    if threshold > 1.0 or threshold <= 0.0:
        raise ValueError("Invalid `threshold` argument value. It should verify "
                         f"0 < threshold <= 1. Received: threshold={threshold}")


@keras_class("keras.metrics")
class FBetaScore(Metric):
    """The F-beta score, (1 + beta^2) * precision * recall / (beta^2 * precision + recall).

    Inputs are (batch, classes): multi-class or multi-label scores and labels.

    Args:
        average: None (one score per class), "micro" (from counts pooled over classes),
            "macro" (the mean of the class scores) or "weighted" (that mean weighted by the
            number of true instances of each class).
        beta: how much more recall counts than precision (a float > 0).
        threshold: predictions above it count as positive; None marks the highest score of
            each row as the positive one.
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    _direction = "up"

    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str = "fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        _check_arguments(average, beta, threshold)
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> None:
        _utils.check_2d("FBetaScore", y_true, y_pred)
        shape = () if self.average == "micro" else (y_pred.shape[-1],)
        self.true_positives = self._add_zeros("true_positives", shape)
        self.false_positives = self._add_zeros("false_positives", shape)
        self.false_negatives = self._add_zeros("false_negatives", shape)
        self.intermediate_weights = self._add_zeros("intermediate_weights", shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = self._tensor(y_true, self.dtype)
        y_pred = self._tensor(y_pred, self.dtype)
        if not self._built:
            self._build(y_true, y_pred)
        if self.threshold is None:
            # The row maximum is positive, unless the whole row is zero.
            row_max = y_pred.amax(dim=-1, keepdim=True)
            y_pred = (y_pred >= row_max) & (y_pred.abs() > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.to(y_true.dtype)
        weight = None if sample_weight is None else self._tensor(sample_weight, self.dtype)
        self.true_positives.add_(self._weighted_sum(y_pred * y_true, weight))
        self.false_positives.add_(self._weighted_sum(y_pred * (1 - y_true), weight))
        self.false_negatives.add_(self._weighted_sum((1 - y_pred) * y_true, weight))
        self.intermediate_weights.add_(self._weighted_sum(y_true, weight))

    def _weighted_sum(self, values: torch.Tensor, weight) -> torch.Tensor:
        if weight is not None:
            values = values * weight.unsqueeze(1)
        return values.sum() if self.axis is None else values.sum(dim=self.axis)

    def result(self) -> torch.Tensor:
        eps = config.epsilon()
        tp = self.true_positives.detach()
        precision = tp / (tp + self.false_positives.detach() + eps)
        recall = tp / (tp + self.false_negatives.detach() + eps)
        beta_squared = self.beta**2
        score = precision * recall / (beta_squared * precision + recall + eps)
        score = score * (1 + beta_squared)
        if self.average == "weighted":
            counts = self.intermediate_weights.detach()
            return (score * counts / (counts.sum() + eps)).sum()
        if self.average is not None:
            return score.mean()
        return score

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


@keras_class("keras.metrics")
class F1Score(FBetaScore):
    """The F1 score, 2 * precision * recall / (precision + recall): `FBetaScore` with beta 1.

    Args:
        average: None, "micro", "macro" or "weighted" (see `FBetaScore`).
        threshold: predictions above it count as positive; None marks the highest score.
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
