"""`print_summary`: Keras 3's `model.summary()` table, character for character.

    Model: "name"
    ┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┓
    ┃ Layer (type)        ┃ Output Shape     ┃  Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━┩
    │ dense (Dense)       │ (None, 32)       │      352 │
    └─────────────────────┴──────────────────┴──────────┘
     Total params: 352 (1.38 KB)
     Trainable params: 352 (1.38 KB)
     Non-trainable params: 0 (0.00 B)

A functional model whose graph branches (several nodes at one depth, a layer called twice, a
node with several inputs) gets a "Connected to" column. Layers never called in a graph show
the output shape of their build shape, or "?" when unknown; unbuilt ones "0 (unbuilt)".
"""

from __future__ import annotations

import math
import re
import shutil
import sys

from hocsau.models.symbolic import flatten, map_structure, map_structure_shapes
from hocsau.utils.text_table import fit_widths, render_table

_BITS = {"bool": 1, "bfloat16": 16}


def print_summary(model, line_length: int | None = None, positions=None, print_fn=None,
                  expand_nested: bool = False, show_trainable: bool = False,
                  layer_range=None) -> None:
    """Print the summary of `model` (what `model.summary()` calls).

    Args:
        model: a built or unbuilt hocsau model.
        line_length: total width of the table (default 88, or 108 with "Connected to",
            capped at the terminal width minus 4).
        positions: right edges of the columns, as fractions of `line_length` (or absolute).
        print_fn: called once with the whole summary text (lines joined by newlines), as
            Keras calls it; default: written to stdout.
        expand_nested: also list the layers of nested models, indented with "└".
        show_trainable: add a "Trainable" column (Y / N, "-" for layers without weights).
        layer_range: two regexes: the first and last layer names to list (inclusive).
    """
    layers = list(getattr(model, "operations", model.layers))
    nodes = _graph_nodes(model)
    sequential_like = nodes is None or _is_sequential_like(nodes)
    header = ["Layer (type)", "Output Shape", "Param #"]
    justify = ["left", "left", "right"]
    if sequential_like:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header.append("Connected to")
        justify.append("left")
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        justify.append("center")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    start, stop = layer_index_bounds(layers, layer_range)
    rows = []
    for layer in layers[start:stop]:
        rows += _layer_rows(layer, nodes if not sequential_like else None, show_trainable,
                            expand_nested, level=0)
    table = render_table(header, rows, fit_widths(_requested_widths(positions, line_length),
                                                  line_length), justify)
    text = "\n".join([f'Model: "{model.name}"', *table, *_totals(model)]) + "\n"
    if print_fn is None:
        sys.stdout.write(text)
    else:
        print_fn(text)


def _requested_widths(positions, line_length: int) -> list[int]:
    widths, current = [], 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    return widths


def layer_index_bounds(layers: list, layer_range=None) -> tuple[int, int]:
    """`[start, stop)` of the layers between the names matching `layer_range`'s two regexes."""
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    if not all(isinstance(name, str) for name in layer_range):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError("Passed layer_names do not match the layer names in the model. "
                         f"Received: {layer_range}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


# --- graph layout ---------------------------------------------------------------------------
def _graph_nodes(model):
    """A functional model's nodes; None for Sequential and subclassed models (listed as a
    plain sequence of layers)."""
    from hocsau.models.functional import Functional
    from hocsau.models.sequential import Sequential

    if isinstance(model, Sequential) or not isinstance(model, Functional):
        return None
    return list(model._nodes)


def _nodes_by_depth(nodes: list) -> dict[int, list]:
    """Nodes grouped by their distance from the outputs (a layer's nodes share its depth)."""
    node_depth, layer_depth = {}, {}
    for node in reversed(nodes):
        depth = max(node_depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    groups: dict[int, list] = {}
    for node in nodes:
        groups.setdefault(node_depth[id(node)], []).append(node)
    return dict(sorted(groups.items()))


def _is_sequential_like(nodes: list) -> bool:
    """One node per depth, each fed by at most one tensor, and no layer called twice."""
    seen_layers = set()
    for group in _nodes_by_depth(nodes).values():
        if len(group) > 1 or len(group[0].inputs) > 1:
            return False
        if id(group[0].layer) in seen_layers:
            return False
        seen_layers.add(id(group[0].layer))
    return True


# --- rows -----------------------------------------------------------------------------------
def _layer_rows(layer, nodes, show_trainable: bool, expand_nested: bool, level: int) -> list:
    prefix = "   " * level + "└ " if level else ""
    class_name = getattr(layer, "op_class_name", type(layer).__name__)
    row = [f"{prefix}{layer.name} ({class_name})", format_layer_shape(layer),
           _param_count(layer)]
    if nodes is not None:
        row.append(_connections(layer, nodes))
    if show_trainable:
        row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
    rows = [row]
    sublayers = getattr(layer, "layers", None) if expand_nested else None
    for sublayer in sublayers or ():
        rows += _layer_rows(sublayer, nodes, show_trainable, expand_nested, level + 1)
    return rows


def _param_count(layer) -> str:
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _connections(layer, nodes: list) -> str:
    in_model = {id(node) for node in nodes}
    links = [f"{t._keras_history[0].name}[{t._keras_history[1]}][{t._keras_history[2]}]"
             for node in layer._inbound_nodes if id(node) in in_model for t in node.inputs]
    return ", ".join(links) or "-"


def format_layer_shape(layer) -> str:
    """The output shape as Keras prints it: "(None, 32)", "[(None, 4), (None, 2)]" or "?"."""
    if layer._inbound_nodes:
        shapes = map_structure(lambda t: _format_shape(t.shape),
                               layer._inbound_nodes[-1].output_structure)
    elif layer._build_shapes is None:
        return "?"
    else:
        try:
            shapes = _shapes_from_build(layer)
        except Exception:  # a shape that cannot be inferred is shown as unknown
            return "?"
    if len(flatten(shapes)) == 1:
        return flatten(shapes)[0]
    return str(shapes).replace("'", "")


def _shapes_from_build(layer):
    output_shape = getattr(layer, "output_shape", None)
    if output_shape is None:
        built = layer._build_shapes
        output_shape = (layer.compute_output_shape(**built) if isinstance(built, dict)
                        else layer.compute_output_shape(built))
    return map_structure_shapes(_format_shape, output_shape)


def _format_shape(shape) -> str:
    return f"({', '.join(str(d) for d in shape)})"


# --- totals ---------------------------------------------------------------------------------
def _totals(model) -> list[str]:
    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    counts = [("Trainable", trainable), ("Non-trainable", non_trainable)]
    optimizer = getattr(model, "optimizer", None)
    if getattr(model, "compiled", False) and optimizer is not None and getattr(
            optimizer, "built", False):
        counts.append(("Optimizer", list(optimizer.variables)))
    total = sum(_count(weights) for _, weights in counts)
    total_size = sum(_memory_size(weights) for _, weights in counts)
    lines = [f" Total params: {total:,} ({readable_memory_size(total_size)})"]
    for label, weights in counts:
        size = readable_memory_size(_memory_size(weights))
        lines.append(f" {label} params: {_count(weights):,} ({size})")
    return lines


def _count(weights) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def _memory_size(weights) -> float:
    """Bytes taken by the distinct weights (bits / 8, so a bool counts one bit, as in Keras)."""
    unique = {id(w): w for w in weights}.values()
    return sum(math.prod(w.shape) * _bits(w.dtype) for w in unique) / 8


def _bits(dtype) -> int:
    name = str(dtype).replace("torch.", "")
    return _BITS.get(name) or dtype.itemsize * 8


def readable_memory_size(size: float) -> str:
    """Bytes as Keras prints them: "65.77 KB"."""
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"
