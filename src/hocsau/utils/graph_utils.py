"""`get_source_inputs`: the graph inputs a symbolic tensor was computed from."""

from __future__ import annotations

from hocsau.models.symbolic import flatten


def get_source_inputs(tensor) -> list:
    """The input tensors needed to compute `tensor` (a list, without repeats; a value that
    is not symbolic is returned as is)."""
    if not hasattr(tensor, "_keras_history"):
        return tensor
    history = tensor._keras_history
    if history is None or not history[0]._inbound_nodes:
        return [tensor]
    node = history[0]._inbound_nodes[history[1]]
    if node.is_input:
        return flatten(node.outputs)
    sources: list = []
    for parent in node.inputs:
        for source in get_source_inputs(parent):
            if all(source is not known for known in sources):
                sources.append(source)
    return sources
