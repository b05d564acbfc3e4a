"""A functional model's config in Keras 3's format, and the model rebuilt from it.

    {"name": ..., "trainable": ...,
     "layers": [{...layer config..., "name": "dense",
                 "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                              "config": {"shape", "dtype",
                                                         "keras_history": ["input", 0, 0]}}],
                                    "kwargs": {}}]}, ...],
     "input_layers": ["input", 0, 0], "output_layers": [["dense", 0, 0], ...]}

A keras_history is (layer name, index among that layer's calls in this model, output index).
Keras gives a nested functional model a node of its own first, so its entries in
input_layers / output_layers count from 1. Operations on tensors (`x + 1`) are written as
Keras's operation classes (`keras.src.ops.numpy.Add`). The older TF-Keras node format
(`[[["dense", 0, 0, {}]]]`) is read as well.
"""

from __future__ import annotations

import functools
import inspect

from hocsau.models.symbolic import flatten, is_symbolic, map_structure, unpack_singleton
from hocsau.saving.serialization import deserialize_keras_object, serialize_keras_object
from hocsau.utils.naming import to_snake_case

# Keras's modules of operation classes, by the hocsau.ops module defining the function
# (Python operators on symbolic tensors are numpy operations, as `x + 1` is `ops.add`).
_OPS_FAMILIES = {"nn": "nn", "ctc": "nn", "math": "math", "signal": "math", "core": "core",
                 "control_flow": "core", "image": "image", "linalg": "linalg",
                 "einops": "einops"}
_MATH_OPS_IN_NUMPY_FILES = {"erf", "erfc", "erfinv", "rsqrt"}
# Activations Keras records as operation classes of their own module rather than of ops
# (`keras.activations.relu(x, max_value=1.0)` on a symbolic tensor).
_ACTIVATIONS_MODULE = "keras.src.activations.activations"
_ACTIVATION_CLASSES = {"relu": "ReLU", "mish": "Mish"}


def functional_config(model) -> dict:
    """`model.get_config()` for a `Functional`; a subclass whose constructor takes other
    arguments gets its constructor arguments instead, as in Keras."""
    if not _functional_like(type(model)):
        from hocsau.layers.layer import Layer, _auto_config

        return {**Layer.get_config(model), **_auto_config(model)}
    own = {id(node) for node in model._nodes}
    layers = [_layer_entry(layer, own) for layer in model._graph_layers]

    def history(tensor):
        layer, node_index, tensor_index = tensor._keras_history
        return [layer.name, _own_index(layer, node_index, own) + _offset(layer), tensor_index]

    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": map_structure(history, model._inputs_struct),
            "output_layers": map_structure(history, model._outputs_struct)}


def _functional_like(cls) -> bool:
    from hocsau.models.functional import Functional

    params = inspect.signature(cls.__init__).parameters.values()
    kinds = {p.kind for p in params}
    if inspect.Parameter.VAR_POSITIONAL in kinds and inspect.Parameter.VAR_KEYWORD in kinds:
        return True
    names = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    functional = inspect.signature(Functional.__init__).parameters.values()
    return names == [p.name for p in functional if p.kind == p.POSITIONAL_OR_KEYWORD]


def _offset(layer) -> int:
    from hocsau.models.functional import Functional

    return 1 if isinstance(layer, Functional) else 0


def _own_index(layer, node_index: int, own: set) -> int:
    return sum(id(n) in own for n in layer._inbound_nodes[:node_index])


def _layer_entry(layer, own: set) -> dict:
    if type(layer).__name__ == "OpLayer":
        module, class_name = _op_class(layer.fn, layer.op_class_name)
        entry = {"module": module, "class_name": class_name,
                 "config": {"name": layer.name}, "registered_name": class_name}
    else:
        entry = serialize_keras_object(layer)
    entry["name"] = layer.name
    entry["inbound_nodes"] = [_node_entry(node, own) for node in layer._inbound_nodes
                              if id(node) in own and node.inputs]
    return entry


def _op_class(fn, op_class_name: str) -> tuple[str, str]:
    name = getattr(fn, "__name__", "")
    if getattr(fn, "__module__", "").startswith("hocsau.activations") and \
            name in _ACTIVATION_CLASSES:
        return _ACTIVATIONS_MODULE, _ACTIVATION_CLASSES[name]
    module = getattr(fn, "__module__", "") or ""
    if module.startswith("hocsau.activations"):  # Keras's activations call the op of the name
        from hocsau import ops

        module = getattr(getattr(ops, name, None), "__module__", module)
    part = "image" if module.startswith("hocsau.ops.image") else module.rsplit(".", 1)[-1]
    family = _OPS_FAMILIES.get(part.split("_")[0], "numpy")
    if name in _MATH_OPS_IN_NUMPY_FILES:
        family = "math"
    return f"keras.src.ops.{family}", op_class_name


def _node_entry(node, own: set) -> dict:
    def to_config(value):
        if not is_symbolic(value):
            return value
        layer, node_index, tensor_index = value._keras_history
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(value.shape), "dtype": value.dtype,
                           "keras_history": [layer.name, _own_index(layer, node_index, own),
                                             tensor_index]}}

    args, kwargs = _call_arguments(node)
    return {"args": serialize_keras_object(map_structure(to_config, list(args))),
            "kwargs": serialize_keras_object(map_structure(to_config, dict(kwargs)))}


def _call_arguments(node) -> tuple:
    """A node's arguments; for an operation, the original ones (its input tensors back in
    their places, e.g. `(x, 1)` for `x + 1`)."""
    layer = node.layer
    if type(layer).__name__ != "OpLayer":
        return node.call_args, node.call_kwargs
    tensors = node.call_args
    return map_structure(
        lambda v: tensors[v.index] if type(v).__name__ == "_Slot" else v, layer._template)


def functional_from_config(cls, config: dict, custom_objects=None):
    """Rebuild a `Functional` (or a subclass taking the same arguments) from its config."""
    created, outputs_of = _replay_calls(config["layers"], custom_objects)

    def tensor(triple):
        name, node_index, tensor_index = triple
        if name not in outputs_of:
            raise ValueError(f"Invalid Functional model configuration: unknown layer '{name}'.")
        return outputs_of[name][node_index - _offset(created[name])][tensor_index]

    # Keras returns a lone output unwrapped; TF-Keras configs always list them.
    inputs = unpack_singleton(_map_triples(tensor, config["input_layers"]))
    outputs = unpack_singleton(_map_triples(tensor, config["output_layers"]))
    extra = {k: v for k, v in config.items()
             if k not in ("layers", "input_layers", "output_layers")}
    return cls(inputs=inputs, outputs=outputs, **extra)


def _replay_calls(entries: list, custom_objects) -> tuple[dict, dict]:
    """Create every layer, then call each on its recorded inputs as soon as they exist:
    ({name: layer}, {name: [flat outputs of each call]})."""
    created, pending = {}, []
    for entry in entries:
        created[entry["name"]] = _make_layer(entry, custom_objects)
        pending.extend((entry["name"], node) for node in entry.get("inbound_nodes", []))
    outputs_of: dict[str, list] = {name: [] for name in created}
    for name, layer in created.items():
        if type(layer).__name__ == "InputLayer":
            outputs_of[name].append([layer.output])
    while pending:
        remaining = _process_pass(pending, created, outputs_of)
        if len(remaining) == len(pending):
            raise ValueError("Invalid Functional model configuration: the graph has loops or "
                             f"disconnected nodes. Unresolved layers: "
                             f"{sorted({name for name, _ in remaining})}")
        pending = remaining
    return created, outputs_of


def _make_layer(entry: dict, custom_objects):
    module = entry.get("module") or ""
    if module == _ACTIVATIONS_MODULE:
        return _activation_op(entry)
    if module.startswith("keras.src.ops") and entry.get("registered_name") in (
            None, entry["class_name"]):
        from hocsau import ops

        name = to_snake_case(entry["class_name"])
        if not hasattr(ops, name):
            raise ValueError(f"Unknown operation '{entry['class_name']}' in a functional "
                             f"model config (module {module}).")
        return _with_options(getattr(ops, name), entry)
    from hocsau.saving.keras_file import drop_unset_newer_keys

    layer_config = drop_unset_newer_keys(
        {k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")})
    return deserialize_keras_object(layer_config, custom_objects=custom_objects)


def _activation_op(entry: dict):
    """The activation a ReLU / Mish operation entry stands for, with the options Keras keeps
    in its config (hocsau keeps them in the node's kwargs)."""
    from hocsau import activations

    names = {class_name: name for name, class_name in _ACTIVATION_CLASSES.items()}
    if entry["class_name"] not in names:
        raise ValueError(f"Unknown operation '{entry['class_name']}' in a functional model "
                         f"config (module {_ACTIVATIONS_MODULE}).")
    return _with_options(activations.get(names[entry["class_name"]]), entry)


def _with_options(fn, entry: dict):
    """`fn` with the options Keras writes in an operation's config (Softmax's `axis`,
    Gelu's `approximate`) as its defaults; hocsau writes them in the node's kwargs."""
    options = {k: v for k, v in entry.get("config", {}).items() if k != "name"}
    if not options:
        return fn

    @functools.wraps(fn)
    def operation(*args, **kwargs):
        return fn(*args, **{**options, **kwargs})

    return operation


class _NotYet(Exception):
    """A node's input comes from a node that has not been rebuilt yet."""


def _process_pass(pending: list, created: dict, outputs_of: dict) -> list:
    """Call every layer whose inputs exist, each layer's calls in order; return the rest."""
    remaining, blocked = [], set()
    for name, node in pending:
        if name not in blocked:
            try:
                args, kwargs = _node_arguments(node, outputs_of)
            except _NotYet:
                blocked.add(name)
            else:
                outputs_of[name].append(flatten(created[name](*args, **kwargs)))
                continue
        remaining.append((name, node))
    return remaining


def _node_arguments(node, outputs_of: dict):
    if isinstance(node, list):  # TF-Keras: [[layer, node, tensor, kwargs], ...]
        tensors = [_lookup(outputs_of, *item[:3]) for item in node]
        kwargs = node[0][3] if node and len(node[0]) > 3 else {}
        return [tensors[0] if len(tensors) == 1 else tensors], dict(kwargs)
    return (_revive(node.get("args", []), outputs_of),
            _revive(node.get("kwargs", {}), outputs_of))


def _lookup(outputs_of: dict, name: str, node_index: int, tensor_index: int):
    if name not in outputs_of:
        raise ValueError(f"Invalid Functional model configuration. Missing layer: {name}")
    calls = outputs_of[name]
    if node_index >= len(calls):
        raise _NotYet()
    return calls[node_index][tensor_index]


def _revive(value, outputs_of: dict):
    if isinstance(value, (list, tuple)):
        return [_revive(v, outputs_of) for v in value]
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            return _lookup(outputs_of, *value["config"]["keras_history"])
        if "class_name" in value and "config" in value:
            return deserialize_keras_object(value)
        return {k: _revive(v, outputs_of) for k, v in value.items()}
    return value


def _map_triples(fn, structure):
    if isinstance(structure, (list, tuple)) and len(structure) == 3 and isinstance(
            structure[0], str):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_triples(fn, v) for k, v in structure.items()}
    if isinstance(structure, tuple):
        return tuple(_map_triples(fn, v) for v in structure)
    return [_map_triples(fn, v) for v in structure]
