"""`MultiOptimizer`: different optimizers for different variables."""

from __future__ import annotations

import torch

from hocsau.optimizers.loss_scale_optimizer import LossScaleOptimizer
from hocsau.optimizers.optimizer import Optimizer
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras.optimizers")
class MultiOptimizer(Optimizer):
    """Delegates each variable to the optimizer an `OptimizerMap` (or a callable taking the
    variable) picks for it.

    The sub-optimizers keep their own learning rates and counters (reach them through
    `optimizers`); this optimizer has no learning rate of its own.

    Args:
        optimizer_map: an `OptimizerMap`, or a callable `variable -> Optimizer`.
        loss_scale_factor: set on every sub-optimizer.
        name: name of the optimizer.
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        self._inner_optimizers: list[Optimizer] = []
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        candidates = list(getattr(optimizer_map, "values", lambda: [])())
        candidates.append(getattr(optimizer_map, "default_optimizer", None))
        for optimizer in candidates:
            if optimizer is not None and optimizer not in self._inner_optimizers:
                optimizer.loss_scale_factor = loss_scale_factor
                self._inner_optimizers.append(optimizer)

    def build(self, var_list) -> None:
        if self.built:
            return
        var_list = list(var_list)
        self._var_to_optimizer_idx: dict[int, int] = {}
        assigned: dict[int, list] = {}
        for variable in var_list:
            optimizer = self._optimizer_for(variable)
            index = self._inner_optimizers.index(optimizer)
            self._var_to_optimizer_idx[id(variable)] = index
            assigned.setdefault(index, []).append(variable)
        for index, variables in assigned.items():
            self._inner_optimizers[index].build(variables)
        super().build(var_list)

    def _reindex(self) -> None:
        super()._reindex()
        if self.built:
            self._var_to_optimizer_idx = {
                id(v): index for index, inner in enumerate(self._inner_optimizers)
                for v in (inner._trainable_variables if inner.built else ())}

    def _optimizer_for(self, variable) -> Optimizer:
        optimizer = self._optimizer_map(variable)
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"Optimizer for variable {variable} is not an Optimizer instance.")
        if isinstance(optimizer, LossScaleOptimizer):
            raise ValueError("LossScaleOptimizer cannot be used inside an MultiOptimizer.")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError("MultiOptimizer cannot be used inside an MultiOptimizer.")
        if optimizer not in self._inner_optimizers:
            optimizer.loss_scale_factor = self.loss_scale_factor
            self._inner_optimizers.append(optimizer)
        return optimizer

    @property
    def optimizers(self) -> list[Optimizer]:
        """The sub-optimizers."""
        return self._inner_optimizers

    @property
    def variables(self) -> list:
        """This optimizer's counter and learning rate, then each sub-optimizer's variables."""
        return self._variables + [v for opt in self._inner_optimizers for v in opt.variables]

    @property
    def learning_rate(self):
        raise AttributeError("Learning rate cannot be accessed on a MultiOptimizer. Access the "
                             "learning rate on the individual sub-optimizers instead.")

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        raise AttributeError("Learning rate cannot be set on a MultiOptimizer. Set the "
                             "learning rate on the individual sub-optimizers instead.")

    @property
    def loss_scale_factor(self):
        return getattr(self, "_loss_scale_factor", None)

    @loss_scale_factor.setter
    def loss_scale_factor(self, value) -> None:
        self._loss_scale_factor = value
        for optimizer in self._inner_optimizers:
            optimizer.loss_scale_factor = value

    @property
    def iterations(self) -> torch.Tensor:
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            trainable_variables = self._built_variables()
        trainable_variables = list(trainable_variables)
        self.build(trainable_variables)
        if len(grads) != len(self._trainable_variables_indices):
            raise ValueError("Gradients must match trainable variables one-to-one. Received "
                             f"{len(grads)} gradients and "
                             f"{len(self._trainable_variables_indices)} variables.")
        for optimizer, sub_grads, sub_variables in self._shares(grads, trainable_variables):
            optimizer.apply(sub_grads, sub_variables)
        with torch.no_grad():
            self._advance()

    def _shares(self, grads, variables) -> list[tuple[Optimizer, list, list]]:
        """Each sub-optimizer with its share of the gradients and variables."""
        shares: dict[int, tuple[list, list]] = {}
        for grad, variable in zip(grads, variables, strict=False):
            share = shares.setdefault(self._var_to_optimizer_idx[id(variable)], ([], []))
            share[0].append(grad)
            share[1].append(variable)
        return [(self._inner_optimizers[i], g, v) for i, (g, v) in shares.items()]

    def finalize_variable_values(self, var_list) -> None:
        var_list = list(var_list)
        for optimizer, _, variables in self._shares(var_list, var_list):
            optimizer.finalize_variable_values(variables)

    def get_config(self) -> dict:
        return {"optimizer_map": serialize_keras_object(self._optimizer_map),
                "loss_scale_factor": self.loss_scale_factor, "name": self.name}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        config["optimizer_map"] = deserialize_keras_object(config["optimizer_map"],
                                                           custom_objects=custom_objects)
        return cls(**config)
