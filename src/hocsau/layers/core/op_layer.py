"""`OpLayer`: a tensor function applied to symbolic tensors, kept as a node of the graph."""

from __future__ import annotations

import torch

from hocsau.layers.layer import Layer
from hocsau.models.symbolic import graph_constant, is_symbolic, map_structure
from hocsau.utils import naming


class _Slot:
    """Marks where the i-th symbolic tensor goes back into the function's arguments."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


# Keras's names for the operations Python operators map to (`x - y` is `ops.subtract`).
_KERAS_OP_NAMES = {"sub": "subtract", "mul": "multiply", "pow": "power", "neg": "negative",
                   "abs": "absolute", "getitem": "get_item", "lt": "less", "le": "less_equal",
                   "gt": "greater", "ge": "greater_equal"}


class OpLayer(Layer):
    """Calls `fn(*args, **kwargs)` with the graph's tensors put back in place of placeholders.

    Made by arithmetic on symbolic tensors (`x + 1`, `x[:, 0]`) and by `hocsau.ops` functions
    given symbolic tensors, as Keras 3 records operations on KerasTensors.
    """

    def __init__(self, fn, args: tuple, kwargs: dict):
        base = getattr(fn, "__name__", "op").strip("_") or "op"
        op_name = _KERAS_OP_NAMES.get(base, naming.to_snake_case(base))
        super().__init__(name=naming.uniquify(op_name))
        # The Keras operation class this node stands for, as `summary()` shows it ("Add").
        self.op_class_name = "".join(part.capitalize() for part in op_name.split("_"))
        self.fn = fn
        self._symbolic_inputs = []

        def to_slot(value):
            if is_symbolic(value):
                self._symbolic_inputs.append(value)
                return _Slot(len(self._symbolic_inputs) - 1)
            return graph_constant(value)

        self._template = map_structure(to_slot, (args, kwargs))

    def _call_template(self):
        return self(*self._symbolic_inputs)

    def call(self, *tensors):
        args, kwargs = self._filled(tensors)
        return self.fn(*args, **kwargs)

    def _filled(self, tensors: tuple):
        """The function's arguments with `tensors` put back in place of the placeholders."""
        device = tensors[0].device if tensors and isinstance(tensors[0], torch.Tensor) else None

        def fill(value):
            if isinstance(value, _Slot):
                return tensors[value.index]
            # A tensor constant (x - torch.ones(3)) follows the inputs: to the meta device while
            # the graph is traced, to the GPU when the model runs there.
            if (isinstance(value, torch.Tensor) and device is not None and value.dim()
                    and value.device != device):
                return value.to(device)
            return value

        return map_structure(fill, self._template)

    def get_config(self) -> dict:
        config = super().get_config()
        config["function"] = getattr(self.fn, "__name__", repr(self.fn))
        return config
