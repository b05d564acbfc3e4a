"""`Function`: a recorded graph of operations from symbolic inputs to outputs, callable on new
inputs (Keras 3's `keras.Function`; a functional model is one too)."""

from __future__ import annotations

import numpy as np

from hocsau import tree
from hocsau.models import symbolic
from hocsau.ops.core import convert_to_tensor
from hocsau.ops.operation import Operation


class Function(Operation):
    """Re-run the operations linking `inputs` to `outputs` on new values.

    Args:
        inputs: a symbolic tensor (`KerasTensor`, `Input`) or a nested structure of them.
        outputs: symbolic tensors computed from `inputs` only.
        name: the function's name.
    """

    _virtual_base = "hocsau.models.functional:Functional"

    def __init__(self, inputs, outputs, name: str | None = None):
        super().__init__(name=name)
        self._inputs_struct = tree.map_structure(lambda x: x, inputs)
        self._outputs_struct = tree.map_structure(lambda x: x, outputs)
        self._inputs = tree.flatten(inputs)
        self._outputs = tree.flatten(outputs)
        for label, values in (("inputs", self._inputs), ("outputs", self._outputs)):
            if not values or values == [None]:
                raise ValueError(f"`{label}` argument cannot be empty. Received:\n"
                                 f"inputs={inputs}\noutputs={outputs}")
        self._nodes = _nodes_between(self._inputs, self._outputs)
        self._run(self._inputs, lambda node, *args, **kwargs: node.outputs)

    @property
    def operations(self) -> list:
        """The operations (layers) of the graph, each once, in execution order."""
        seen: dict[int, object] = {}
        for node in self._nodes:
            seen.setdefault(id(node.layer), node.layer)
        return list(seen.values())

    @property
    def inputs(self) -> list:
        """The flat list of symbolic inputs."""
        return self._inputs

    @property
    def outputs(self) -> list:
        """The flat list of symbolic outputs."""
        return self._outputs

    def call(self, inputs):
        """The outputs computed from new `inputs` (same structure as the symbolic ones)."""
        self._check_structure(inputs)
        flat = [convert_to_tensor(x) if isinstance(x, np.ndarray) else x
                for x in tree.flatten(inputs)]
        return self._run(flat, lambda node, *args, **kwargs: node.layer(*args, **kwargs))

    def compute_output_spec(self, inputs):
        """Symbolic outputs for symbolic `inputs` (no graph nodes are recorded)."""
        from hocsau.backend.keras_tensor import KerasTensor

        self._check_structure(inputs)
        flat = tree.flatten(inputs)
        if all(tuple(x.shape) == tuple(ref.shape) for x, ref in zip(flat, self._inputs,
                                                                    strict=True)):
            return tree.map_structure(lambda t: KerasTensor(t.shape, t.dtype),
                                      self._outputs_struct)

        def spec(node, *args, **kwargs):
            specs = node.layer.compute_output_spec(*args, **kwargs)
            return symbolic.map_structure(lambda s: KerasTensor(s.shape, s.dtype), specs)

        return self._run(flat, spec)

    def compute_output_shape(self, input_shape):
        """Output shapes for input shapes (same structure as the inputs)."""
        from hocsau.backend.keras_tensor import KerasTensor

        specs = tree.map_shape_structure(lambda s: KerasTensor(s), input_shape)
        for spec, ref in zip(tree.flatten(specs), self._inputs, strict=True):
            spec.dtype = ref.dtype
        return tree.map_structure(lambda t: t.shape, self.compute_output_spec(specs))

    def _check_structure(self, inputs) -> None:
        try:
            tree.assert_same_structure(inputs, self._inputs_struct)
        except ValueError:
            raise ValueError("Function was called with an invalid input structure. Expected "
                             f"input structure: {self._inputs_struct}\nReceived input "
                             f"structure: {inputs}") from None

    def _run(self, flat_inputs: list, apply):
        """Walk the nodes in order; `apply(node, *args, **kwargs)` gives a node's outputs."""
        values = {id(ref): value for ref, value in zip(self._inputs, flat_inputs, strict=True)}

        def lookup(item):
            return values[id(item)] if symbolic.is_symbolic(item) else item

        for node in self._nodes:
            if not all(id(t) in values for t in node.inputs):
                continue
            args = symbolic.map_structure(lookup, tuple(node.call_args))
            kwargs = symbolic.map_structure(lookup, dict(node.call_kwargs))
            for ref, value in zip(node.outputs, symbolic.flatten(apply(node, *args, **kwargs)),
                                  strict=False):
                values[id(ref)] = value
        missing = [i for i, out in enumerate(self._outputs) if id(out) not in values]
        if missing:
            path = ".".join(str(p) for p in tree.flatten_with_path(self._outputs_struct)[
                missing[0]][0])
            raise ValueError(f"Output with path `{path}` is not connected to `inputs`")
        return tree.pack_sequence_as(self._outputs_struct,
                                     [values[id(out)] for out in self._outputs])


def _nodes_between(inputs: list, outputs: list) -> list:
    """The nodes computing `outputs` from `inputs`, each after the nodes it reads from."""
    stops = {id(t) for t in inputs}
    order, seen = [], set()

    def visit(tensor):
        history = tensor._keras_history
        if id(tensor) in stops or history is None:
            return
        node = history[0]._inbound_nodes[history[1]]
        if id(node) in seen:
            return
        seen.add(id(node))
        for parent in node.inputs:
            visit(parent)
        order.append(node)

    for tensor in outputs:
        visit(tensor)
    return [n for n in order if n.inputs]
