"""Losses, as classes (`MeanSquaredError()`) and as functions (`mean_squared_error`), with
`get` resolving the names Keras accepts ("mse", "binary_crossentropy", "Huber", ...).

Functions return one loss per sample; classes weight and reduce them to the batch's loss.
"""

from __future__ import annotations

import inspect

from hocsau.losses.categorical import (
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    SparseCategoricalCrossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    sparse_categorical_crossentropy,
)
from hocsau.losses.hinge import (
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from hocsau.losses.loss import Loss
from hocsau.losses.probabilistic import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    KLDivergence,
    Poisson,
    binary_crossentropy,
    binary_focal_crossentropy,
    kl_divergence,
    poisson,
)
from hocsau.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from hocsau.losses.segmentation import Dice, Tversky, dice, tversky
from hocsau.losses.sequence import CTC, ctc
from hocsau.losses.similarity import Circle, circle
from hocsau.losses.wrapper import LossFunctionWrapper
from hocsau.saving import serialization

ALL_OBJECTS = (
    Loss, LossFunctionWrapper,
    KLDivergence, Poisson, BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
    CategoricalFocalCrossentropy, SparseCategoricalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCosh, Huber,
    Hinge, SquaredHinge, CategoricalHinge, Dice, Tversky, Circle, CTC,
    kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy, sparse_categorical_crossentropy,
    categorical_generalized_cross_entropy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, cosine_similarity, log_cosh, huber,
    hinge, squared_hinge, categorical_hinge, dice, tversky, circle, ctc,
)
ALIASES = {
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence, "kullback_leibler_divergence": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    "logcosh": log_cosh,
}
ALL_OBJECTS_DICT = {obj.__name__: obj for obj in ALL_OBJECTS} | ALIASES
globals().update(ALIASES)  # keras.losses.mae and friends, as tf.keras 2 tutorials use them


def serialize(loss) -> dict:
    """A loss function or `Loss` instance as a Keras config dict."""
    return serialization.serialize_keras_object(loss)


def deserialize(name, custom_objects: dict | None = None):
    """A loss function or `Loss` instance from `serialize`'s output (or a loss name)."""
    return serialization.deserialize_keras_object(
        name, module_objects=ALL_OBJECTS_DICT, custom_objects=custom_objects)


def get(identifier):
    """A loss from a name ("mse", "binary_crossentropy", "Huber"), a config dict, a `Loss`
    class or instance, or a callable; None stays None. Class names give a default instance."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            raise serialization.unknown_identifier("loss", identifier, ALL_OBJECTS_DICT)
    else:
        obj = identifier
    if not callable(obj):
        raise ValueError(f"Could not interpret loss identifier: {identifier}")
    return obj() if inspect.isclass(obj) else obj


__all__ = [obj.__name__ for obj in ALL_OBJECTS] + list(ALIASES) + ["deserialize", "get",
                                                                   "serialize"]
