"""Hinge metrics: running means of the hinge losses (labels are -1/1, or 0/1 converted)."""

from __future__ import annotations

from hocsau import losses
from hocsau.metrics.reduction_metrics import FixedFunctionMean
from hocsau.saving.serialization import keras_class


@keras_class("keras.metrics")
class Hinge(FixedFunctionMean):
    """The mean of max(1 - y_true * y_pred, 0).

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "hinge", dtype=None):
        super().__init__(losses.hinge, name=name, dtype=dtype)


@keras_class("keras.metrics")
class SquaredHinge(FixedFunctionMean):
    """The mean of max(1 - y_true * y_pred, 0) ** 2.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "squared_hinge", dtype=None):
        super().__init__(losses.squared_hinge, name=name, dtype=dtype)


@keras_class("keras.metrics")
class CategoricalHinge(FixedFunctionMean):
    """The mean of max(0, 1 + max of wrong-class scores - true-class score).

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "categorical_hinge", dtype=None):
        super().__init__(losses.categorical_hinge, name=name, dtype=dtype)
