"""`model_to_dot` and `plot_model`: a model's layer graph as Keras 3 draws it.

Each layer is a node (keyed by `id(layer)`) whose label is an HTML-like table: name and class,
then optionally the activation, input/output shapes, output dtype and a trainable badge. Edges
follow the recorded graph: each `Node` of a layer that belongs to the model, from the layer
that made each of its input tensors. With `expand_nested`, nested `Functional`/`Sequential`
models become dashed clusters and edges are rerouted to the layers inside them. A subclassed
model is one node. `plot_model` renders the graph with Graphviz's `dot` through pydot.
"""

from __future__ import annotations

import os
import sys

try:
    import pydot
except ImportError:  # pydot's older forks have the same API
    try:
        import pydot_ng as pydot
    except ImportError:
        try:
            import pydotplus as pydot
        except ImportError:
            pydot = None

_PYDOT_HELP = "You must install pydot (`pip install pydot`)"
_GRAPHVIZ_HELP = ("You must install graphviz (see instructions at https://graphviz.org/download/ "
                  "or use your OS package manager, e.g. `apt install graphviz` or "
                  "`brew install graphviz`)")
_NOT_BUILT = ("This model has not yet been built. Build the model first by calling `build()` "
              "or by calling the model on a batch of data. Received: unbuilt model '{}'")


def check_pydot() -> bool:
    """Whether pydot (or one of its forks) can be imported."""
    return pydot is not None


def check_graphviz() -> bool:
    """Whether pydot can run Graphviz's `dot` program (it renders an empty graph to find out)."""
    if not check_pydot():
        return False
    try:
        pydot.Dot.create(pydot.Dot())
    except (OSError, pydot.PydotException):
        return False
    return True


def model_to_dot(model, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB",
                 expand_nested: bool = False, dpi: int = 200, subgraph: bool = False,
                 show_layer_activations: bool = False, show_trainable: bool = False,
                 splines: str = "ortho", **kwargs):
    """Convert a model to a `pydot.Dot` graph (no Graphviz needed).

    Args:
        model: a built hocsau model.
        show_shapes: add each layer's input and output shapes.
        show_dtype: add each layer's output dtype.
        show_layer_names: title each node "name (Class)" rather than "Class".
        rankdir: Graphviz's `rankdir`: "TB" draws top to bottom, "LR" left to right.
        expand_nested: draw nested functional and sequential models as clusters of their
            layers instead of one node.
        dpi: image resolution in dots per inch.
        subgraph: return a `pydot.Cluster` (used for nested models) instead of a `pydot.Dot`.
        show_layer_activations: add the activation of layers that have an `activation`.
        show_trainable: mark layers that have weights as trainable or not.
        splines: how Graphviz draws edges: "ortho" (right angles), "curved", "polyline",
            "spline" or "line".

    Returns:
        A `pydot.Dot`, or a `pydot.Cluster` when `subgraph=True`.
    """
    if not model.built:
        raise ValueError(_NOT_BUILT.format(model.name))
    if not check_pydot():
        raise ImportError(f"{_PYDOT_HELP} for model_to_dot to work. Received: pydot could not "
                          "be imported.")
    _check_kwargs(kwargs)
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        for key, value in (("rankdir", rankdir), ("concentrate", True), ("dpi", dpi),
                           ("splines", splines)):
            dot.set(key, value)
        dot.set_node_defaults(shape="record")
    options = {"show_shapes": show_shapes, "show_dtype": show_dtype,
               "show_layer_names": show_layer_names, "show_layer_activations":
               show_layer_activations, "show_trainable": show_trainable}
    if not _is_graph_model(model):
        dot.add_node(_make_node(model, options))
        return dot
    for layer in _operations(model):
        if expand_nested and _is_graph_model(layer):
            dot.add_subgraph(model_to_dot(layer, rankdir=rankdir, expand_nested=True,
                                          subgraph=True, **options))
        else:
            dot.add_node(_make_node(layer, options))
    _add_edges(dot, model, expand_nested)
    return dot


def _check_kwargs(kwargs: dict) -> None:
    layer_range = kwargs.pop("layer_range", None)
    if layer_range is not None:
        raise ValueError("Argument `layer_range` is no longer supported. Received: "
                         f"layer_range={layer_range}")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments. Received: {kwargs}")


def _is_graph_model(layer) -> bool:
    # Imported here: hocsau.utils is imported by hocsau.layers, which hocsau.models needs.
    from hocsau.models.functional import Functional
    from hocsau.models.sequential import Sequential

    return isinstance(layer, (Functional, Sequential))


def _operations(model) -> list:
    """A functional model's nodes with its operations (`x + y`), as Keras draws them."""
    return getattr(model, "operations", model.layers)


def _is_sequential(model) -> bool:
    from hocsau.models.sequential import Sequential

    return isinstance(model, Sequential)


# --- edges ----------------------------------------------------------------------------------
def _add_edges(dot, model, expand_nested: bool) -> None:
    """A Sequential is a chain; otherwise each recorded call links its inputs' producers."""
    layers = _operations(model)
    if _is_sequential(model):
        if not expand_nested:
            for source, destination in zip(layers, layers[1:], strict=False):
                _add_edge(dot, source, destination)
            return
        # The first layer's incoming edge is drawn by the model that contains this one.
        layers = layers[1:]
    own_nodes = None if _is_sequential(model) else {id(node) for node in model._nodes}
    for layer in layers:
        for node in layer._inbound_nodes:
            if own_nodes is None or id(node) in own_nodes:
                for source, destination in _node_edges(layer, node, expand_nested):
                    _add_edge(dot, source, destination)


def _node_edges(layer, node, expand_nested: bool):
    """(producer, layer) for each input tensor of one call, rerouted into nested models."""
    for input_index, tensor in enumerate(node.inputs):
        if tensor._keras_history is None:
            continue
        source, _, output_index = tensor._keras_history
        if expand_nested:
            yield (_innermost_source(source, output_index),
                   _innermost_destination(layer, input_index))
        else:
            yield source, layer


def _innermost_source(source, output_index: int):
    """The layer inside nested models that produces their `output_index`-th output."""
    while _is_graph_model(source):
        source, _, output_index = source.outputs[output_index]._keras_history
    return source


def _innermost_destination(destination, input_index: int):
    """A nested functional model's matching `InputLayer`, a nested Sequential's first layer."""
    while _is_graph_model(destination):
        if _is_sequential(destination):
            destination = destination.layers[0]
        else:
            destination = destination.inputs[input_index]._keras_history[0]
    return destination


def _add_edge(dot, source, destination) -> None:
    source_id, destination_id = str(id(source)), str(id(destination))
    if not dot.get_edge(source_id, destination_id):
        edge = pydot.Edge(source_id, destination_id)
        edge.set("penwidth", "2")
        dot.add_edge(edge)


# --- nodes ----------------------------------------------------------------------------------
def _make_node(layer, options: dict):
    node = pydot.Node(str(id(layer)), label=_make_label(layer, **options))
    for key, value in (("fontname", "Helvetica"), ("border", "0"), ("margin", "0")):
        node.set(key, value)
    return node


def _make_label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
                show_trainable) -> str:
    """The HTML-like table: a title row, an activation row, then one row of detail cells."""
    # Graph operations (`x + y`) show the Keras operation's class, as in `summary()`.
    class_name = getattr(layer, "op_class_name", type(layer).__name__)
    span = max(1, int(show_dtype) + int(show_trainable) + 2 * int(show_shapes))
    title = f"<b>{layer.name}</b> ({class_name})" if show_layer_names else f"<b>{class_name}</b>"
    rows = [f'<tr><td colspan="{span}" bgcolor="black"><font point-size="16" color="white">'
            f"{title}</font></td></tr>"]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        rows.append(f'<tr><td bgcolor="white" colspan="{span}"><font point-size="14">'
                    f"Activation: <b>{_activation_name(layer.activation)}</b></font></td></tr>")
    cells = _detail_cells(layer, show_shapes, show_dtype, show_trainable)
    if cells:
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return ('<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
            + "".join(rows) + "</table>>")


def _detail_cells(layer, show_shapes: bool, show_dtype: bool, show_trainable: bool) -> list:
    inputs, outputs = _first_call(layer)
    cells = []
    if show_shapes:
        if type(layer).__name__ != "InputLayer":
            cells.append(_white_cell("Input shape", _format_shape(inputs)))
        cells.append(_white_cell("Output shape", _format_shape(outputs)))
    if show_dtype:
        dtype = None if outputs is None else _map(lambda t: t.dtype, outputs)
        cells.append(_white_cell("Output dtype", dtype or "?"))
    if show_trainable and hasattr(layer, "trainable") and layer.weights:
        color, text = ("forestgreen", "Trainable") if layer.trainable else (
            "firebrick", "Non-trainable")
        cells.append(f'<td bgcolor="{color}"><font point-size="14" color="white"><b>{text}</b>'
                     "</font></td>")
    return cells


def _white_cell(title: str, value) -> str:
    return f'<td bgcolor="white"><font point-size="14">{title}: <b>{value}</b></font></td>'


def _first_call(layer):
    """The inputs and outputs of the layer's first call, flat (one tensor alone), as Keras
    reports `layer.input` / `layer.output`; (None, None) for a layer never called."""
    nodes = getattr(layer, "_inbound_nodes", None)
    if not nodes:
        return None, None
    node = nodes[0]
    return tuple(t[0] if len(t) == 1 else list(t) for t in (node.inputs, node.outputs))


def _map(fn, value):
    return [fn(t) for t in value] if isinstance(value, list) else fn(value)


def _format_shape(value) -> str:
    if value is None:
        return "?"
    return str(_map(lambda t: t.shape, value))


def _activation_name(activation) -> str:
    if hasattr(activation, "name"):
        return activation.name
    return getattr(activation, "__name__", None) or str(activation)


# --- plotting -------------------------------------------------------------------------------
def plot_model(model, to_file: str = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = False, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False,
               splines: str = "ortho", **kwargs):
    """Draw `model` with `model_to_dot` and render it to `to_file` with Graphviz.

    The image format follows the file's extension (".png", ".svg", ".pdf", ".dot", ...;
    PNG when there is none). Needs pydot and Graphviz's `dot` program; without them an
    `ImportError` says which is missing (in IPython the message is printed instead, so
    notebooks keep running).

    Args:
        model: a built hocsau model.
        to_file: path of the image to write.
        show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
        show_layer_activations, show_trainable, splines: as in `model_to_dot`.

    Returns:
        An `IPython.display.Image` of the plot when IPython is installed (not for PDF files),
        else None.
    """
    if not model.built:
        raise ValueError(_NOT_BUILT.format(model.name))
    missing = _missing_renderer()
    if missing is not None:
        if "IPython.core.magics.namespace" in sys.modules:
            print(missing)
            return None
        raise ImportError(missing)
    _check_kwargs(kwargs)
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines)
    to_file = str(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    return _notebook_image(to_file) if extension != "pdf" else None


def _missing_renderer() -> str | None:
    """The install instructions for whichever of pydot and Graphviz is missing."""
    if not check_pydot():
        return (f"{_PYDOT_HELP} for `plot_model` to work. Received: pydot could not be "
                "imported.")
    if not check_graphviz():
        return (f"{_GRAPHVIZ_HELP} for `plot_model` to work. Received: pydot could not run "
                "Graphviz's `dot` program (not found on the PATH).")
    return None


def _notebook_image(path: str):
    try:
        from IPython import display
    except ImportError:
        return None
    return display.Image(filename=path)
