"""`OptimizerMap`: which optimizer updates which variable, by variable path."""

from __future__ import annotations

import re
from collections.abc import MutableMapping

from hocsau.optimizers._state import variable_path
from hocsau.optimizers.optimizer import Optimizer
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras.optimizers")
class OptimizerMap(MutableMapping):
    """A mapping from variable paths (or regular expressions matching whole paths) to
    optimizers, for `MultiOptimizer`.

    A path is looked up exactly first, then against every key as a pattern
    (`re.fullmatch`: use `"encoder/.*"` for everything under `encoder`); unmatched paths get
    `default_optimizer`, and a path matching several patterns is an error.

    Args:
        default_optimizer: the optimizer of unmatched variables.
        optimizer_map: initial `{path or pattern: optimizer}` entries.
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError("default_optimizer must be a Keras Optimizer instance. "
                            f"Received: {default_optimizer}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = optimizer_map or {}

    @property
    def default_optimizer(self) -> Optimizer:
        return self._default_optimizer

    def __getitem__(self, key: str) -> Optimizer:
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key}.")
        return self._optimizer_map[matches[0]] if matches else self._default_optimizer

    def __setitem__(self, key: str, optimizer) -> None:
        from hocsau.optimizers.loss_scale_optimizer import LossScaleOptimizer
        from hocsau.optimizers.multi_optimizer import MultiOptimizer

        if key in self._optimizer_map:
            raise ValueError(f"'{key}' already exists in the OptimizerMap with value "
                             f"{self._optimizer_map[key]}. Please make sure to not use "
                             "duplicated keys.")
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be a Keras Optimizer instance. Received: "
                             f"{optimizer}")
        if isinstance(optimizer, LossScaleOptimizer):
            raise ValueError("optimizer cannot be LossScaleOptimizer.")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError("optimizer cannot be MultiOptimizer.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key: str) -> None:
        del self._optimizer_map[key]

    def __len__(self) -> int:
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable) -> Optimizer:
        """The optimizer of a variable, by its path."""
        return self[variable_path(variable)]

    def get_config(self) -> dict:
        return {"default_optimizer": serialize_keras_object(self._default_optimizer),
                "optimizer_map": serialize_keras_object(self._optimizer_map)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        return cls(deserialize_keras_object(config["default_optimizer"],
                                            custom_objects=custom_objects),
                   deserialize_keras_object(config["optimizer_map"],
                                            custom_objects=custom_objects))
