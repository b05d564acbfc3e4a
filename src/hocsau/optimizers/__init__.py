"""`hocsau.optimizers`: Keras 3's optimizers, updating torch tensors with multi-tensor ops.

`get("adam")`, `get({"class_name": "SGD", "config": {...}})` or an instance; `serialize` and
`deserialize` use Keras's dict format, so configs cross between Keras and hocsau.
"""

from __future__ import annotations

from hocsau.optimizers import legacy, schedules
from hocsau.optimizers.adadelta import Adadelta
from hocsau.optimizers.adafactor import Adafactor
from hocsau.optimizers.adagrad import Adagrad
from hocsau.optimizers.adam import Adam
from hocsau.optimizers.adamax import Adamax
from hocsau.optimizers.adamw import AdamW
from hocsau.optimizers.ftrl import Ftrl
from hocsau.optimizers.lamb import Lamb
from hocsau.optimizers.lion import Lion
from hocsau.optimizers.loss_scale_optimizer import LossScaleOptimizer
from hocsau.optimizers.multi_optimizer import MultiOptimizer
from hocsau.optimizers.muon import Muon
from hocsau.optimizers.nadam import Nadam
from hocsau.optimizers.optimizer import Optimizer
from hocsau.optimizers.optimizer_map import OptimizerMap
from hocsau.optimizers.rmsprop import RMSprop
from hocsau.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from hocsau.optimizers.sgd import SGD
from hocsau.saving.serialization import (
    deserialize_keras_object,
    serialize_keras_object,
    unknown_identifier,
)

_CLASSES = (Optimizer, Adam, SGD, RMSprop, Adadelta, AdamW, Adagrad, Adamax, Adafactor, Muon,
            MultiOptimizer, OptimizerMap, Nadam, Ftrl, Lion, LossScaleOptimizer,
            ScheduleFreeAdamW, Lamb)
# Built-in names resolve case-insensitively ("adam", "Adam", "ADAM").
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in _CLASSES}


def serialize(optimizer) -> dict:
    """An optimizer as Keras's serialized dict."""
    return serialize_keras_object(optimizer)


def deserialize(config: dict, custom_objects: dict | None = None):
    """An optimizer from its serialized dict (built-in class names in any case)."""
    config = dict(config)
    if config["class_name"].lower() in ALL_OBJECTS_DICT:
        config["class_name"] = config["class_name"].lower()
    return deserialize_keras_object(config, module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects)


def get(identifier):
    """An optimizer from a name ("adam"), a serialized dict or an instance; None stays None."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier.lower() not in ALL_OBJECTS_DICT:
            raise unknown_identifier("optimizer", identifier, ALL_OBJECTS_DICT)
        identifier = {"class_name": identifier, "config": {}}
    found = deserialize(identifier) if isinstance(identifier, dict) else identifier
    if isinstance(found, Optimizer):
        return found
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")


__all__ = ["SGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lamb",
           "Lion", "LossScaleOptimizer", "MultiOptimizer", "Muon", "Nadam", "Optimizer",
           "OptimizerMap", "RMSprop", "ScheduleFreeAdamW", "deserialize", "get", "legacy",
           "schedules", "serialize"]
