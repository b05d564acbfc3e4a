"""`clone_model`: a new model with the same architecture and fresh weights."""

from __future__ import annotations

from hocsau.models.symbolic import flatten, is_symbolic, map_structure, record_op


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive: bool = False, **kwargs):
    """A copy of `model`'s architecture with newly initialized weights.

    Args:
        model: a Sequential, functional or subclassed model.
        input_tensors: symbolic tensors (from `Input`) the clone is built on instead of new
            inputs of the same shapes.
        clone_function: `layer -> new layer`; default `cls.from_config(layer.get_config())`.
            Returning the layer itself shares it (and its weights) with the original.
        call_function: `(layer, *args, **kwargs) -> outputs`, replacing each layer call of
            a functional model.
        recursive: also clone the layers inside nested Sequential / functional models
            with `clone_function` (otherwise those are cloned whole by config).
    """
    from hocsau.models.functional import Functional
    from hocsau.models.sequential import Sequential

    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {sorted(kwargs)}")
    clone_function = clone_function or _clone_layer
    if recursive:
        clone_function = _recursive(clone_function, input_tensors, call_function)
    if isinstance(model, Sequential):
        return _compiled_like(model, _clone_sequential(model, input_tensors, clone_function))
    if isinstance(model, Functional):
        return _compiled_like(
            model, _clone_functional(model, input_tensors, clone_function, call_function))
    if input_tensors is not None or call_function is not None:
        raise ValueError("`input_tensors` and `call_function` apply only to Sequential and "
                         f"functional models. Received a subclassed model: {model.name}")
    return _clone_layer(model)


def _compiled_like(model, clone):
    """As Keras: the clone of a compiled Sequential / functional model is compiled the same
    way (with new optimizer and metric objects)."""
    config = model.get_compile_config() if getattr(model, "compiled", False) else None
    if config is not None:
        clone.compile_from_config(config)
    return clone


def _clone_layer(layer):
    return type(layer).from_config(layer.get_config())


def _recursive(clone_function, input_tensors, call_function):
    from hocsau.models.functional import Functional
    from hocsau.models.sequential import Sequential

    def clone(layer):
        if isinstance(layer, (Sequential, Functional)):
            return clone_model(layer, clone_function=clone_function, recursive=True)
        return clone_function(layer)

    return clone


def _clone_sequential(model, input_tensors, clone_function):
    from hocsau.layers.core.input_layer import Input
    from hocsau.models.sequential import Sequential

    layers = [clone_function(layer) for layer in model.layers]
    if input_tensors is not None:
        first = flatten(input_tensors)
        if len(first) != 1 or not is_symbolic(first[0]):
            raise ValueError("A Sequential model takes one input tensor from `Input`. "
                             f"Received: input_tensors={input_tensors!r}")
        layers = [first[0]] + layers
    elif model.inputs:
        source = model.inputs[0]
        layers = [Input(batch_shape=source.shape, dtype=source.dtype)] + layers
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, input_tensors, clone_function, call_function):
    from hocsau.layers.core.input_layer import Input, InputLayer
    from hocsau.models.functional import Functional

    new_inputs = _new_inputs(model, input_tensors, Input)
    mapped = {id(old): new for old, new in zip(model.inputs, new_inputs, strict=True)}
    clones = {}
    for node in model._nodes:
        layer = node.layer
        if node.is_input or isinstance(layer, InputLayer):
            continue
        args, kwargs = map_structure(lambda v: mapped[id(v)] if is_symbolic(v) else v,
                                     (tuple(node.call_args), dict(node.call_kwargs)))
        if type(layer).__name__ == "OpLayer":
            outputs = _replay_op(layer, args)
        else:
            if id(layer) not in clones:
                clones[id(layer)] = clone_function(layer)
            new_layer = clones[id(layer)]
            outputs = (call_function(new_layer, *args, **kwargs) if call_function
                       else new_layer(*args, **kwargs))
        for old, new in zip(node.outputs, flatten(outputs), strict=True):
            mapped[id(old)] = new
    structure = map_structure(lambda t: mapped[id(t)], model._inputs_struct)
    outputs = map_structure(lambda t: mapped[id(t)], model._outputs_struct)
    return Functional(structure, outputs, name=model.name, trainable=model.trainable)


def _new_inputs(model, input_tensors, make_input) -> list:
    if input_tensors is None:
        return [make_input(batch_shape=t.shape, dtype=t.dtype,
                           name=t._keras_history[0].name) for t in model.inputs]
    given = flatten(input_tensors)
    if len(given) != len(model.inputs) or not all(is_symbolic(t) for t in given):
        raise ValueError(f"`input_tensors` must be {len(model.inputs)} symbolic tensor(s) "
                         f"from `Input`, one per model input. Received: {input_tensors!r}")
    return given


def _replay_op(layer, tensors):
    """An operation node applied to the clone's tensors (operations have no weights)."""
    args, kwargs = map_structure(
        lambda v: tensors[v.index] if type(v).__name__ == "_Slot" else v, layer._template)
    return record_op(layer.fn, args, kwargs)
