"""tf.keras 2 / Keras 1 layer idioms that Keras 3 dropped, kept as hocsau extensions.

- `layer.input_shape` / `layer.output_shape`: the shapes of the layer's first call in a
  graph, else of its build (Keras 3 keeps them only on models).
- `self.trainable_weights = [self.W, self.b]` (Keras 1 custom layers): the listed tensors
  become the layer's own weights of that kind; plain tensors are turned into `Variable`s and
  the attributes holding them now hold the variables, so `call` trains them.
"""

from __future__ import annotations

import numpy as np
import torch

from hocsau.models.symbolic import map_structure
from hocsau.variable import Variable


class LegacyShapes:
    """`input_shape` / `output_shape` on every layer (models define their own)."""

    @property
    def input_shape(self):
        """The input shape of the layer's first call in a graph (else of its build, else the
        `input_shape` it was given)."""
        if "_assigned_input_shape" in self.__dict__:
            return self.__dict__["_assigned_input_shape"]
        nodes = self.__dict__.get("_inbound_nodes")
        if nodes:
            return map_structure(lambda t: tuple(t.shape), nodes[0].input_structure)
        for known in ("_build_shapes", "_batch_input_shape"):
            if self.__dict__.get(known) is not None:
                return self.__dict__[known]
        raise AttributeError(f"The layer '{self.name}' has never been called and thus has no "
                             "defined input shape.")

    @input_shape.setter
    def input_shape(self, value) -> None:
        # Keras 3 layers have no such property: code setting the attribute keeps working.
        self.__dict__["_assigned_input_shape"] = value

    @property
    def output_shape(self):
        """The output shape of the layer's first call in a graph (computed from its build
        shape if it was built without one)."""
        if "_assigned_output_shape" in self.__dict__:
            return self.__dict__["_assigned_output_shape"]
        nodes = self.__dict__.get("_inbound_nodes")
        if nodes:
            return map_structure(lambda t: tuple(t.shape), nodes[0].output_structure)
        if self.__dict__.get("_build_shapes") is not None:
            return self.compute_output_shape(self._build_shapes)
        raise AttributeError(f"The layer '{self.name}' has never been called and thus has no "
                             "defined output shape.")

    @output_shape.setter
    def output_shape(self, value) -> None:
        self.__dict__["_assigned_output_shape"] = value


def assign_weights(layer, values, trainable: bool) -> None:
    """Make `values` the layer's own weights of one kind (trainable or not).

    Own weights of that kind left out of the list are no longer tracked, as a Keras 1 list
    replaced the previous one.
    """
    values = list(values)
    chosen = [_as_variable(layer, value, index, trainable) for index, value in
              enumerate(values)]
    keep = {id(v) for v in chosen}
    for variable in list(layer._tracked_variables):
        if _kind(variable) == trainable and id(variable) not in keep:
            _untrack(layer, variable)
    for variable in chosen:
        variable._created_trainable = trainable
        variable.trainable = trainable and layer.trainable
        if not layer._owns(variable):
            _track(layer, variable)


def _kind(variable) -> bool:
    return getattr(variable, "_created_trainable", True)


def _holders(layer, value) -> list[str]:
    """The names of the layer's plain attributes holding exactly `value`."""
    return [k for k, v in layer.__dict__.items() if v is value and not k.startswith("_")]


def _as_variable(layer, value, index: int, trainable: bool) -> Variable:
    if isinstance(value, Variable):
        return value
    if not isinstance(value, (torch.Tensor, np.ndarray, list, tuple, float, int)):
        raise TypeError(f"Layer '{layer.name}': the weights assigned to `trainable_weights` / "
                        "`non_trainable_weights` must be tensors, arrays or Variables. "
                        f"Received: {type(value).__name__}")
    names = _holders(layer, value)
    data = value.detach() if isinstance(value, torch.Tensor) else torch.as_tensor(
        np.asarray(value))
    variable = Variable(data, trainable=trainable, name=names[0] if names else
                        f"variable_{index}", device=data.device)
    variable._path = f"{layer.name}/{variable.name}"
    for name in names:
        del layer.__dict__[name]
    variable.__dict__["_legacy_holders"] = names
    return variable


def _track(layer, variable: Variable) -> None:
    layer._tracked_variables.append(variable)
    names = variable.__dict__.pop("_legacy_holders", [])
    if names:
        for name in names:
            setattr(layer, name, variable)  # registered under the attribute's name
    else:
        layer.register_parameter(layer._free_parameter_key(variable.name), variable)


def _untrack(layer, variable: Variable) -> None:
    layer._tracked_variables[:] = [v for v in layer._tracked_variables if v is not variable]
    for key in [k for k, v in layer._parameters.items() if v is variable]:
        del layer._parameters[key]
        layer.__dict__[key] = variable  # still readable as before, no longer a weight
