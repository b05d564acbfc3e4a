"""Metrics: stateful classes (`Precision()`, `AUC()`, ...) that accumulate on the device, and
per-sample functions (`binary_accuracy`, `mean_squared_error`, ...), with `get` resolving the
names Keras accepts ("mae", "auc", "categorical_accuracy", "Precision", ...).

The regression, probabilistic and hinge functions are the loss functions of `hocsau.losses`.
"""

from __future__ import annotations

import inspect

from hocsau.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from hocsau.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from hocsau.metrics.auc import AUC
from hocsau.metrics.confusion_metrics import (
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from hocsau.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from hocsau.metrics.f_score_metrics import F1Score, FBetaScore
from hocsau.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from hocsau.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from hocsau.metrics.metric import Metric
from hocsau.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from hocsau.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from hocsau.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from hocsau.saving import serialization
from hocsau.utils.naming import to_snake_case

ALL_OBJECTS = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score,
    AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall,
    RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives,
    TruePositives,
    ConcordanceCorrelation, PearsonCorrelation,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    F1Score, FBetaScore,
    IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
)
FUNCTIONS = (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
    pearson_correlation, concordance_correlation,
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, sparse_categorical_crossentropy, kl_divergence, poisson,
    hinge, squared_hinge, categorical_hinge, huber, log_cosh,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error,
)
# Names resolve to classes, as in Keras: "mse" and "mean_squared_error" give MeanSquaredError.
ALL_OBJECTS_DICT = (
    {cls.__name__: cls for cls in ALL_OBJECTS}
    | {to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS}
    | {"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
       "mse": MeanSquaredError, "MSE": MeanSquaredError,
       "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
       "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
       "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
       "acc": Accuracy,
       # tf.keras 2's names (a hocsau extension; Keras 3 rejects them)
       "kld": KLDivergence, "KLD": KLDivergence, "kullback_leibler_divergence": KLDivergence,
       "logcosh": LogCoshError}
)

_FUNCTIONS_DICT = {fn.__name__: fn for fn in FUNCTIONS}
# tf.keras 2's short function names (keras.metrics.mae), which tutorials still use.
mae = MAE = mean_absolute_error
mse = MSE = mean_squared_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


def serialize(metric) -> dict:
    """A metric function or `Metric` instance as a Keras config dict."""
    return serialization.serialize_keras_object(metric)


def deserialize(config, custom_objects: dict | None = None):
    """A `Metric` instance or metric function from `serialize`'s output (or a name)."""
    is_function = isinstance(config, dict) and config.get("class_name") == "function"
    return serialization.deserialize_keras_object(
        config, module_objects=_FUNCTIONS_DICT if is_function else ALL_OBJECTS_DICT,
        custom_objects=custom_objects)


def get(identifier):
    """A `Metric` from a name ("mae", "auc", "Precision"), a config dict, a `Metric` class or
    instance, or a callable `fn(y_true, y_pred)` (wrapped in `MeanMetricWrapper` and named
    after it); None stays None. Names and classes give a default instance."""
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            raise serialization.unknown_identifier("metric", identifier, ALL_OBJECTS_DICT)
    else:
        obj = identifier
    if inspect.isclass(obj) and issubclass(obj, Metric):
        return obj()
    if isinstance(obj, Metric):
        return obj
    if callable(obj):
        return MeanMetricWrapper(obj, name=getattr(obj, "__name__", None))
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


__all__ = ([obj.__name__ for obj in ALL_OBJECTS] + [fn.__name__ for fn in FUNCTIONS]
           + ["KLD", "MAE", "MAPE", "MSE", "MSLE", "deserialize", "get", "kld",
              "kullback_leibler_divergence", "logcosh", "mae", "mape", "mse", "msle",
              "serialize"])
