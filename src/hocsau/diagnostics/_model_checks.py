"""Static checks of a compiled model against its data: the usual reasons a network cannot
fit even one batch."""

from __future__ import annotations

import numpy as np

from hocsau.models.symbolic import flatten

_BINARY = {"binary_crossentropy", "bce", "binary_focal_crossentropy"}
_SPARSE = {"sparse_categorical_crossentropy"}
_CATEGORICAL = {"categorical_crossentropy", "cce", "categorical_focal_crossentropy"}


def loss_info(loss) -> tuple[str, bool]:
    """A compile loss's Keras name and its `from_logits` flag."""
    if isinstance(loss, str):
        return loss, False
    if hasattr(loss, "get_config"):
        config = loss.get_config()
        return str(config.get("name", "")), bool(config.get("from_logits", False))
    return getattr(loss, "__name__", type(loss).__name__), False


def output_activation(model) -> str:
    """The name of the activation the model ends with ("linear" when none)."""
    return layer_activation(model.layers[-1])


def layer_activation(layer) -> str:
    """The name of the activation a layer ends with ("linear" when none)."""
    if type(layer).__name__ in ("Softmax", "Sigmoid"):
        return type(layer).__name__.lower()
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", "linear") if activation is not None else "linear"


def output_heads(model, y, y_pred) -> list[tuple]:
    """`(name, output layer, compiled loss, targets, predictions)` for each output: one for a
    single-output model, one per output (by name, or position) otherwise."""
    from hocsau.trainers.compile_utils import _per_output

    loss = model._compile_config.get("loss") if model._compile_config else None
    if not isinstance(y_pred, (dict, list, tuple)):
        return [(None, model.layers[-1], _single(loss), y, y_pred)]
    names = model._output_names()
    losses = _per_output(loss, names, "loss")
    heads = []
    for position, name in enumerate(names):
        tensor = (model._outputs_struct[name] if isinstance(model._outputs_struct, dict)
                  else flatten(model._outputs_struct)[position])
        pick = name if isinstance(y_pred, dict) else position
        target = y[name] if isinstance(y, dict) else y[position]
        heads.append((name, tensor._keras_history[0], losses[position], target, y_pred[pick]))
    return heads


def _single(loss):
    if isinstance(loss, dict):
        return next(iter(loss.values()), None)
    return loss[0] if isinstance(loss, (list, tuple)) and loss else loss


def frozen_layers(model) -> list[str]:
    """Names of layers that have weights but none of them trainable."""
    return [layer.name for layer in model.layers
            if layer.weights and not layer.trainable_weights]


def activation_loss_mismatch(loss_spec, layer) -> str | None:
    """A sentence naming an output activation that does not suit the loss, or None."""
    loss, from_logits = loss_info(loss_spec)
    activation = layer_activation(layer)
    if activation == "softmax" and loss in _BINARY:
        return ("activation/loss mismatch: the output uses softmax but the loss is "
                f"{loss} (use sigmoid outputs, or categorical crossentropy)")
    if activation == "sigmoid" and loss in _SPARSE | _CATEGORICAL:
        return ("activation/loss mismatch: the output uses sigmoid but the loss is "
                f"{loss} (use a softmax output)")
    if from_logits and activation in ("softmax", "sigmoid"):
        return (f"activation/loss mismatch: the output applies {activation} but the loss "
                "has from_logits=True (remove the activation or set from_logits=False)")
    if not from_logits and activation == "linear" and loss in _BINARY | _SPARSE | _CATEGORICAL:
        return (f"activation/loss mismatch: the output is linear (logits) but {loss} expects "
                "probabilities (set from_logits=True)")
    return None


def labels_out_of_range(loss_spec, y, width: int) -> str | None:
    """A sentence when the labels cannot match an output of `width` units, or None."""
    loss, _ = loss_info(loss_spec)
    labels = np.asarray(y)
    if loss in _SPARSE and labels.size:
        low, high = labels.min(), labels.max()
        if low < 0 or high >= width:
            return (f"labels out of range: {loss} needs integer labels in [0, {width - 1}] "
                    f"for an output of {width} units. Received labels in [{low}, {high}]")
    if loss in _BINARY and labels.size and (labels.min() < 0 or labels.max() > 1):
        return (f"labels out of range: {loss} needs targets in [0, 1]. Received targets in "
                f"[{labels.min()}, {labels.max()}]")
    if loss in _CATEGORICAL and labels.ndim and labels.shape[-1] != width:
        return (f"labels out of range: {loss} needs one-hot targets of width {width}. "
                f"Received targets of shape {labels.shape}")
    return None
