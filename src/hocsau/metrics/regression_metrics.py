"""Regression metrics: running means of the regression losses, RMSE, cosine similarity and the
coefficient of determination (R2).
"""

from __future__ import annotations

import torch

from hocsau import losses
from hocsau.metrics import _utils
from hocsau.metrics.metric import Metric
from hocsau.metrics.reduction_metrics import FixedFunctionMean, Mean
from hocsau.saving.serialization import keras_class


def _cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """The cosine of the angle between y_true and y_pred along `axis` (the loss, negated)."""
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


@keras_class("keras.metrics")
class MeanSquaredError(FixedFunctionMean):
    """The mean of (y_true - y_pred) ** 2.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "mean_squared_error", dtype=None):
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)


@keras_class("keras.metrics")
class MeanAbsoluteError(FixedFunctionMean):
    """The mean of |y_true - y_pred|.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "mean_absolute_error", dtype=None):
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)


@keras_class("keras.metrics")
class MeanAbsolutePercentageError(FixedFunctionMean):
    """The mean of 100 * |y_true - y_pred| / |y_true|.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype=None):
        super().__init__(losses.mean_absolute_percentage_error, name=name, dtype=dtype)


@keras_class("keras.metrics")
class MeanSquaredLogarithmicError(FixedFunctionMean):
    """The mean of (log(y_true + 1) - log(y_pred + 1)) ** 2.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype=None):
        super().__init__(losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


@keras_class("keras.metrics")
class LogCoshError(FixedFunctionMean):
    """The mean of log(cosh(y_pred - y_true)).

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "logcosh", dtype=None):
        super().__init__(losses.log_cosh, name=name, dtype=dtype)


@keras_class("keras.metrics")
class CosineSimilarity(FixedFunctionMean):
    """The mean cosine similarity between labels and predictions, in [-1, 1].

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
        axis: the axis the vectors lie along.
    """

    _direction = "up"

    def __init__(self, name: str = "cosine_similarity", dtype=None, axis: int = -1):
        super().__init__(_cosine_similarity, name=name, dtype=dtype, axis=axis)

    def get_config(self) -> dict:
        # As in Keras, `axis` is not part of the config.
        return {"name": self.name, "dtype": self.dtype}


@keras_class("keras.metrics")
class RootMeanSquaredError(Mean):
    """The square root of the mean of (y_true - y_pred) ** 2.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    _direction = "down"

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = self._tensor(y_true, self.dtype)
        y_pred = self._tensor(y_pred, self.dtype)
        y_true, y_pred = _utils.same_rank(y_true, y_pred)
        super().update_state(torch.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        return torch.sqrt(super().result())


_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


@keras_class("keras.metrics")
class R2Score(Metric):
    """The coefficient of determination, 1 - residual sum of squares / total sum of squares.

    Inputs are (batch, outputs); each output gets a score, then they are aggregated.

    Args:
        class_aggregation: None (one score per output), "uniform_average" (their mean) or
            "variance_weighted_average" (their mean weighted by each output's variance).
        num_regressors: the number of independent variables, for the adjusted R2 score
            (0 gives the plain score; so does a count that leaves no degrees of freedom).
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    _direction = "up"

    def __init__(self, class_aggregation: str | None = "uniform_average",
                 num_regressors: int = 0, name: str = "r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{_AGGREGATIONS}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self._add_zeros("num_samples")
        self._built = False

    def _build(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> None:
        _utils.check_2d("R2Score", y_true, y_pred)
        shape = (y_pred.shape[-1],)
        self.squared_sum = self._add_zeros("squared_sum", shape)
        self.sum = self._add_zeros("sum", shape)
        self.total_mse = self._add_zeros("residual", shape)
        self.count = self._add_zeros("count", shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = self._tensor(y_true, self.dtype)
        y_pred = self._tensor(y_pred, self.dtype)
        y_true, y_pred = _utils.same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true, y_pred)
        weight = self._tensor(1.0 if sample_weight is None else sample_weight, self.dtype)
        if weight.dim() == 1:
            weight = weight.unsqueeze(1)
        weight = weight.broadcast_to(y_true.shape)
        weighted_y_true = y_true * weight
        self.sum.add_(weighted_y_true.sum(dim=0))
        self.squared_sum.add_((y_true * weighted_y_true).sum(dim=0))
        self.total_mse.add_((torch.square(y_true - y_pred) * weight).sum(dim=0))
        self.count.add_(weight.sum(dim=0))
        self.num_samples.add_(y_true.numel())

    def result(self) -> torch.Tensor:
        total_sum = self.sum.detach()
        mean = total_sum / self.count.detach()
        total = self.squared_sum.detach() - total_sum * mean
        scores = 1 - self.total_mse.detach() / total
        scores = torch.where(torch.isinf(scores), 0.0, scores)
        if self.class_aggregation == "uniform_average":
            score = scores.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * scores).sum() / total.sum()
        else:
            score = scores
        if self.num_regressors == 0:
            return score
        # Adjusted R2 needs degrees of freedom left; otherwise the plain score stands.
        n = self.num_samples.detach()
        adjusted = 1.0 - (1.0 - score) * (n - 1.0) / (n - self.num_regressors - 1.0)
        return torch.where(self.num_regressors < n - 1, adjusted, score)

    def get_config(self) -> dict:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
