"""Probabilistic metrics: running means of the crossentropies, KL divergence and Poisson loss."""

from __future__ import annotations

from hocsau import losses
from hocsau.metrics.reduction_metrics import FixedFunctionMean
from hocsau.saving.serialization import keras_class


@keras_class("keras.metrics")
class KLDivergence(FixedFunctionMean):
    """The mean Kullback-Leibler divergence, sum(y_true * log(y_true / y_pred)).

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "kl_divergence", dtype=None):
        super().__init__(losses.kl_divergence, name=name, dtype=dtype)


@keras_class("keras.metrics")
class Poisson(FixedFunctionMean):
    """The mean Poisson loss, y_pred - y_true * log(y_pred).

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
    """

    def __init__(self, name: str = "poisson", dtype=None):
        super().__init__(losses.poisson, name=name, dtype=dtype)


@keras_class("keras.metrics")
class BinaryCrossentropy(FixedFunctionMean):
    """The mean binary crossentropy between 0/1 labels and predicted probabilities.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
        from_logits: whether predictions are logits rather than probabilities.
        label_smoothing: in [0, 1]; labels are moved towards 0.5 by this much.
    """

    def __init__(self, name: str = "binary_crossentropy", dtype=None, from_logits: bool = False,
                 label_smoothing: float = 0):
        super().__init__(losses.binary_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing)


@keras_class("keras.metrics")
class CategoricalCrossentropy(FixedFunctionMean):
    """The mean crossentropy between one-hot labels and predicted class probabilities.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
        from_logits: whether predictions are logits rather than probabilities.
        label_smoothing: in [0, 1]; this much of each label is spread over all classes.
        axis: the class axis.
    """

    def __init__(self, name: str = "categorical_crossentropy", dtype=None,
                 from_logits: bool = False, label_smoothing: float = 0, axis: int = -1):
        super().__init__(losses.categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


@keras_class("keras.metrics")
class SparseCategoricalCrossentropy(FixedFunctionMean):
    """The mean crossentropy between integer labels and predicted class probabilities.

    Args:
        name: the metric's name.
        dtype: the dtype of the state and result.
        from_logits: whether predictions are logits rather than probabilities.
        ignore_class: a label value left out of the metric (e.g. padding).
        axis: the class axis.
    """

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype=None,
                 from_logits: bool = False, ignore_class: int | None = None, axis: int = -1):
        super().__init__(losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
