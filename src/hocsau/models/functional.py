"""`Functional`: a model defined by a graph of layer calls, run from a flat execution plan.

At construction the graph between `inputs` and `outputs` is sorted once into steps; a call
then only fills a list of slots:

    x = standardize_inputs(inputs)    # matched to the Inputs, their dtypes and ranks (Keras)
    slots[input_i] = x_i
    for layer, fetch_args, kwargs, out_slots, release in plan:
        outputs = layer(*fetch_args(slots), **kwargs)
        slots[out_slots] = outputs
        slots[release] = None    # tensors no later step reads: freed as in a plain torch loop
    return outputs structure from slots
"""

from __future__ import annotations

from hocsau.layers._eager_call import set_mask
from hocsau.layers.core.input_layer import InputLayer
from hocsau.models.input_standardization import standardize_inputs
from hocsau.models.model import Model
from hocsau.models.symbolic import flatten, is_symbolic, map_structure, unpack_singleton
from hocsau.saving.serialization import keras_class
from hocsau.utils.config_nesting import check_config_depth


class _Step:
    """One layer call of the plan: where its arguments come from and where outputs go."""

    __slots__ = ("layer", "args", "kwargs", "out_slots", "single_arg", "takes_training",
                 "release")

    def __init__(self, layer, args, kwargs, out_slots, takes_training):
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.out_slots = out_slots
        self.takes_training = takes_training
        self.single_arg = (len(args) == 1 and isinstance(args[0], _Slot) and not kwargs)
        self.release: list[int] = []  # slots read for the last time here (set by _make_plan)

    def read_slots(self) -> list[int]:
        """The slots this step reads its arguments from."""
        values = flatten((self.args, self.kwargs))
        return [value.index for value in values if isinstance(value, _Slot)]


class _Slot:
    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


@keras_class("keras")
class Functional(Model):
    """A model from `Model(inputs, outputs)`: several inputs and outputs (lists or dicts),
    shared layers and nested models allowed."""

    _convert_input_args = False  # each input is converted to its own Input's dtype in `call`

    def __init__(self, inputs, outputs, name: str | None = None, trainable: bool = True,
                 **kwargs):
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs) -> None:
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        flat_inputs, flat_outputs = flatten(inputs), flatten(outputs)
        for tensor in flat_inputs + flat_outputs:
            if not is_symbolic(tensor):
                raise ValueError(
                    "All `inputs` and `outputs` of a functional model must be symbolic tensors "
                    f"(from `Input` and layer calls). Received: {tensor!r}")
        # Keras searches from its flattened outputs: a dict's values in key order.
        nodes, first_seen = _sorted_nodes(flat_inputs, flatten(_keys_sorted(outputs)))
        # A plain list: the layers are registered as submodules by name just below.
        object.__setattr__(self, "_graph_layers", _layers_by_depth(nodes, first_seen))
        _check_unique_names(self._graph_layers)
        for layer in self._graph_layers:
            self._modules[layer.name] = layer
        self._plan, self._input_slots, self._output_slots, self._slot_count = _make_plan(
            nodes, flat_inputs, flat_outputs)
        self._nodes = nodes
        self.built = True

    # --- structure --------------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The graph's layers; operations on symbolic tensors (`x + y`) are left out, as
        Keras keeps them in `operations` only."""
        return [layer for layer in self._graph_layers if type(layer).__name__ != "OpLayer"]

    @property
    def operations(self) -> list:
        """Every node of the graph in `layers` order, operations included."""
        return list(self._graph_layers)

    @property
    def inputs(self) -> list:
        return flatten(_keys_sorted(self._inputs_struct))

    @property
    def outputs(self) -> list:
        """The output tensors flattened as Keras flattens them (dict values in key order)."""
        return flatten(_keys_sorted(self._outputs_struct))

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_names(self) -> list:
        return [t._keras_history[0].name for t in self.inputs]

    @property
    def output_names(self) -> list:
        return [t._keras_history[0].name for t in self.outputs]

    @property
    def input_shape(self):
        return unpack_singleton(map_structure(lambda t: t.shape, self._inputs_struct))

    @property
    def output_shape(self):
        return unpack_singleton(map_structure(lambda t: t.shape, self._outputs_struct))

    # --- running ----------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        slots = [None] * self._slot_count
        flat = standardize_inputs(self, self._inputs_struct, inputs)
        if mask is not None:  # as Keras: the masks go onto the inputs, to flow from there
            for value, value_mask in zip(flat, flatten(mask), strict=False):
                if value_mask is not None:
                    set_mask(value, value_mask)
        for slot, value in zip(self._input_slots, flat, strict=True):
            slots[slot] = value
        for step in self._plan:
            if step.single_arg:
                if training is not None and step.takes_training:
                    outputs = step.layer(slots[step.args[0].index], training=training)
                else:
                    outputs = step.layer(slots[step.args[0].index])
            else:
                args, kwargs = _fetch(step.args, slots), _fetch(step.kwargs, slots)
                if training is not None and step.takes_training:
                    kwargs["training"] = training
                outputs = step.layer(*args, **kwargs)
            if len(step.out_slots) == 1:
                slots[step.out_slots[0]] = outputs
            else:
                for slot, value in zip(step.out_slots, flatten(outputs), strict=False):
                    slots[slot] = value
            for slot in step.release:
                slots[slot] = None
        return self._pack_outputs(slots)

    def compute_output_spec(self, *args, **kwargs):
        """Specs shaped like the `outputs` given: calling the model on symbolic tensors
        keeps a list of one (as Keras does), while calls on values return the tensor."""
        specs = super().compute_output_spec(*args, **kwargs)
        struct = self._outputs_struct
        if unpack_singleton(struct) is not struct:
            return type(struct)([specs])
        return specs

    def _pack_outputs(self, slots):
        if self._single_output:
            return slots[self._output_slots[0]]
        values = iter([slots[i] for i in self._output_slots])
        return map_structure(lambda _: next(values), unpack_singleton(self._outputs_struct))

    @property
    def _single_output(self) -> bool:
        """One output tensor, or a list or tuple of one: Keras returns the tensor itself."""
        return is_symbolic(unpack_singleton(self._outputs_struct))

    def get_config(self) -> dict:
        from hocsau.saving.functional_config import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from hocsau.saving.functional_config import functional_from_config

        check_config_depth(config)
        return functional_from_config(cls, config, custom_objects)


def _fetch(template, slots):
    if isinstance(template, _Slot):
        return slots[template.index]
    if isinstance(template, tuple):
        return tuple(_fetch(t, slots) for t in template)
    if isinstance(template, list):
        return [_fetch(t, slots) for t in template]
    if isinstance(template, dict):
        return {k: _fetch(v, slots) for k, v in template.items()}
    return template


def _node_of(tensor):
    layer, node_index, _ = tensor._keras_history
    return layer._inbound_nodes[node_index]


def _sorted_nodes(inputs: list, outputs: list) -> tuple[list, dict]:
    """The nodes between inputs and outputs in topological order (depth-first from outputs),
    and each layer's place in that search's pre-order (Keras's tie-break; inputs -1)."""
    input_ids = {id(t) for t in inputs}
    order, visited, active, first_seen = [], set(), set(), {}

    def visit(node):
        if id(node) in visited:
            return
        if id(node) in active:
            raise ValueError("The graph of this model has a cycle.")
        first_seen.setdefault(node.layer, len(first_seen))
        active.add(id(node))
        for tensor in node.inputs:
            if id(tensor) in input_ids and not _node_of(tensor).is_input:
                continue  # an inner tensor given as an input: the graph starts there
            if tensor._keras_history is None:
                raise ValueError(f"Tensor {tensor} does not come from an `Input` of this model.")
            visit(_node_of(tensor))
        active.discard(id(node))
        visited.add(id(node))
        order.append(node)

    for tensor in outputs:
        if id(tensor) not in input_ids or _node_of(tensor).is_input:
            visit(_node_of(tensor))
    for tensor in inputs:  # inputs no output depends on come last, as in Keras
        node = _node_of(tensor)
        if node.is_input and id(node) not in visited:
            visited.add(id(node))
            order.append(node)
            first_seen[node.layer] = -1
    _check_reachable(order, input_ids)
    return order, first_seen


def _keys_sorted(structure):
    """`structure` with every dict's items in key order (how Keras flattens dicts)."""
    if isinstance(structure, dict):
        return {key: _keys_sorted(structure[key]) for key in sorted(structure)}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_keys_sorted(item) for item in structure)
    return structure


def _check_reachable(nodes: list, input_ids: set) -> None:
    for node in nodes:
        if node.is_input and not any(id(t) in input_ids for t in node.outputs):
            name = node.layer.name
            raise ValueError(
                f"Graph disconnected: cannot find parent for tensor {node.outputs[0]} at layer "
                f"'{name}'. Add it to the model's `inputs`.")


def _layers_by_depth(nodes: list, first_seen: dict) -> list:
    """Layers ordered as Keras orders `model.layers`: deepest first, ties by the pre-order of
    the depth-first search from the outputs."""
    node_depth, layer_depth = {}, {}
    for node in reversed(nodes):
        depth = max(node_depth.get(id(node), 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    return sorted(layer_depth, key=lambda layer: (-layer_depth[layer], first_seen[layer]))


def _check_unique_names(layers: list) -> None:
    seen = set()
    for layer in layers:
        if layer.name in seen:
            raise ValueError(f"The name '{layer.name}' is used 2 times in the model. "
                             "All layer names should be unique.")
        seen.add(layer.name)


def _make_plan(nodes: list, inputs: list, outputs: list):
    slot_of: dict[int, int] = {}

    def slot(tensor) -> int:
        return slot_of.setdefault(id(tensor), len(slot_of))

    input_slots = [slot(t) for t in inputs]
    plan = []
    for node in nodes:
        if node.is_input or isinstance(node.layer, InputLayer):
            continue

        def to_slot(value):
            return _Slot(slot(value)) if is_symbolic(value) else value

        args = map_structure(to_slot, tuple(node.call_args))
        kwargs = map_structure(to_slot, dict(node.call_kwargs))
        out_slots = [slot(t) for t in node.outputs]
        plan.append(_Step(node.layer, args, kwargs, out_slots, node.layer._call_info[0]))
    output_slots = [slot(t) for t in outputs]
    _mark_releases(plan, output_slots)
    return plan, input_slots, output_slots, len(slot_of)


def _mark_releases(plan: list, output_slots: list) -> None:
    """Give each step the slots it is the last reader (or the unread writer) of, so a call
    frees intermediate tensors as soon as possible instead of holding all of them to the end."""
    last_use: dict[int, int] = {}
    for position, step in enumerate(plan):
        for index in step.out_slots + step.read_slots():
            last_use[index] = position
    kept = set(output_slots)
    for index, position in last_use.items():
        if index not in kept:
            plan[position].release.append(index)
