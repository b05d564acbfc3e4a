"""Learning-rate schedules: Keras's `keras.optimizers.schedules`, computed on the device."""

from __future__ import annotations

from hocsau.optimizers.schedules.cosine_decay import CosineDecay
from hocsau.optimizers.schedules.cosine_decay_restarts import CosineDecayRestarts
from hocsau.optimizers.schedules.exponential_decay import ExponentialDecay
from hocsau.optimizers.schedules.inverse_time_decay import InverseTimeDecay
from hocsau.optimizers.schedules.learning_rate_schedule import LearningRateSchedule
from hocsau.optimizers.schedules.piecewise_constant_decay import PiecewiseConstantDecay
from hocsau.optimizers.schedules.polynomial_decay import PolynomialDecay
from hocsau.saving.serialization import deserialize_keras_object, serialize_keras_object

_CLASSES = (CosineDecay, CosineDecayRestarts, ExponentialDecay, InverseTimeDecay,
            LearningRateSchedule, PiecewiseConstantDecay, PolynomialDecay)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}


def serialize(learning_rate_schedule) -> dict:
    """A schedule as Keras's serialized dict."""
    return serialize_keras_object(learning_rate_schedule)


def deserialize(config, custom_objects: dict | None = None):
    """A schedule from its serialized dict."""
    return deserialize_keras_object(config, module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects)


__all__ = ["CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay",
           "LearningRateSchedule", "PiecewiseConstantDecay", "PolynomialDecay", "deserialize",
           "serialize"]
