"""`Operation`: Keras 3's base class of a callable that can also be traced symbolically.

A subclass defines `call` (tensors in, tensors out) and optionally `compute_output_spec`.
Called on tensors it runs `call`; called on symbolic tensors it records a graph node (an
`OpLayer` running `call`), so operations can sit in functional models and `Function`s. As in
Keras, every layer is an `Operation` (`isinstance(Dense(2), Operation)` holds).
"""

from __future__ import annotations

import importlib
from abc import ABCMeta

from hocsau.models import symbolic
from hocsau.utils import naming


class _WithVirtualBase(ABCMeta):
    """Lets `isinstance` / `issubclass` also accept a class named in `_virtual_base`
    ("module:Class"), resolved on first use (layers import ops, so it cannot be imported
    here)."""

    def _virtual(cls):
        target = cls.__dict__.get("_virtual_base")
        if target is None:
            return None
        module, name = target.split(":")
        return getattr(importlib.import_module(module), name)

    def __instancecheck__(cls, instance) -> bool:
        virtual = cls._virtual()
        return super().__instancecheck__(instance) or (
            virtual is not None and isinstance(instance, virtual))

    def __subclasscheck__(cls, subclass) -> bool:
        virtual = cls._virtual()
        return super().__subclasscheck__(subclass) or (
            virtual is not None and issubclass(subclass, virtual))


class Operation(metaclass=_WithVirtualBase):
    """A computation with a symbolic form.

    Args:
        name: the operation's name (default: its snake-cased class name, made unique).
    """

    _virtual_base = "hocsau.layers.layer:Layer"

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        self._init_args = (args, kwargs)
        return self

    def __init__(self, name: str | None = None):
        if name is None:
            name = naming.uniquify(naming.to_snake_case(type(self).__name__))
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name} (of type {type(name)})")
        self.name = name
        self._inbound_nodes: list = []
        self._outbound_nodes: list = []

    def __call__(self, *args, **kwargs):
        if symbolic.any_symbolic(args, kwargs):
            return self.symbolic_call(*args, **kwargs)
        return self.call(*args, **kwargs)

    def symbolic_call(self, *args, **kwargs):
        """Record this operation as a graph node and return its symbolic outputs."""
        from hocsau.layers.core.operation_node import OperationNode

        node_layer = OperationNode(self, args, kwargs)
        outputs = node_layer._call_template()
        self._inbound_nodes.append(node_layer._inbound_nodes[-1])
        return outputs

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Operation {type(self).__name__} does not implement "
                                  "`call()`.")

    def compute_output_spec(self, *args, **kwargs):
        """Symbolic outputs (shape and dtype) for symbolic inputs, from a dry run of `call`
        on the meta device."""
        from hocsau.backend.keras_tensor import KerasTensor
        from hocsau.layers.core.op_layer import OpLayer

        probe = OpLayer(self.call, args, kwargs)
        specs = probe.compute_output_spec(*probe._symbolic_inputs)
        return symbolic.map_structure(lambda s: KerasTensor(s.shape, s.dtype), specs)

    @property
    def input(self):
        return self._only_node().input_structure

    @property
    def output(self):
        return self._only_node().output_structure

    def _only_node(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Operation '{self.name}' has never been called on a symbolic "
                                 "tensor and thus has no defined input or output.")
        return self._inbound_nodes[0]

    def get_config(self) -> dict:
        """`{"name": ...}` plus the plain (JSON-able) constructor arguments."""
        from hocsau.layers.layer import _auto_config

        return {"name": self.name, **_auto_config(self)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<Operation name={self.name}>"
