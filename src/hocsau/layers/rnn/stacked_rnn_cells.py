"""`StackedRNNCells`: several cells run as one, each feeding the next at every step."""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras.layers")
class StackedRNNCells(Layer):
    """A stack of RNN cells for `RNN(cell)`; its state is the list of the cells' states.

    Args:
        cells: RNN cell instances (objects with `call(inputs, states)` and `state_size`).
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError("All cells must have a `call` method. Received cell without "
                                 f"a `call` method: {cell}")
            if "state_size" not in dir(cell):
                raise ValueError("All cells must have a `state_size` attribute. Received cell "
                                 f"without a `state_size`: {cell}")
        self.cells = list(cells)

    @property
    def state_size(self) -> list:
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self) -> int:
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        size = last.state_size
        return size[0] if isinstance(size, (list, tuple)) else size

    def get_initial_state(self, batch_size=None) -> list:
        return [_cell_initial_state(cell, batch_size) for cell in self.cells]

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
            size = getattr(cell, "output_size", None) or cell.state_size
            size = size[0] if isinstance(size, (list, tuple)) else size
            input_shape = (input_shape[0], size)
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states, strict=True):
            nested = isinstance(cell_states, (list, tuple))
            kwargs = {"training": training} if _takes_training(cell) else {}
            inputs, cell_states = cell(inputs, list(cell_states) if nested else [cell_states],
                                       **kwargs)
            if not nested and isinstance(cell_states, (list, tuple)) and len(cell_states) == 1:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        return inputs, new_states

    def get_config(self) -> dict:
        config = super().get_config()
        config["cells"] = [serialize_keras_object(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        cells = [deserialize_keras_object(c, custom_objects=custom_objects)
                 for c in config.pop("cells")]
        return cls(cells, **config)


def _takes_training(cell) -> bool:
    info = getattr(cell, "_call_info", None)
    return bool(info and info[0])


def _cell_initial_state(cell, batch_size):
    """A cell's own `get_initial_state`, else zeros; a tensor for an int `state_size`."""
    getter = getattr(cell, "get_initial_state", None)
    sizes = [cell.state_size] if isinstance(cell.state_size, int) else cell.state_size
    state = getter(batch_size=batch_size) if getter else [
        torch.zeros((batch_size, s), device=config.device()) for s in sizes]
    if isinstance(cell.state_size, int) and isinstance(state, (list, tuple)):
        return state[0]
    return state
