"""What every application model shares around its backbone: argument checks, the input, the
classifier or pooling head, the functional model, and its weights."""

from __future__ import annotations

import os

from hocsau import backend, config, layers
from hocsau.applications import imagenet_utils
from hocsau.models.functional import Functional
from hocsau.utils.file_utils import get_file

CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"},
}
DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"},
}


# Keras words these two errors differently in each family: (weights, classes) templates.
MESSAGES = (
    "The `weights` argument should be either `None` (random initialization), `imagenet` "
    "(pre-training on ImageNet), or the path to the weights file to be loaded. "
    "Received: weights={weights}",
    'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000. '
    "Received: classes={classes}",
)


def check_arguments(weights, include_top: bool, classes: int, classifier_activation,
                    messages: tuple = MESSAGES) -> None:
    """Keras's checks of `weights`, `classes` and `classifier_activation`, before building.

    Raises:
        ValueError: `weights` is neither None, "imagenet" nor an existing file; ImageNet
            weights with a classifier of other than 1000 classes, or with an activation other
            than softmax / None. The first two say `messages`, formatted.
    """
    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ValueError(messages[0].format(weights=weights))
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(messages[1].format(classes=classes))
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)


def channel_axis() -> int:
    """The channel axis of a batch of images in the configured data format."""
    return 3 if config.image_data_format() == "channels_last" else 1


def image_input(input_tensor, input_shape):
    """A new `Input` of `input_shape`, or the user's symbolic `input_tensor`."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not backend.is_keras_tensor(input_tensor):
        raise ValueError("Argument `input_tensor` must be a KerasTensor. Received invalid "
                         f"type: input_tensor={input_tensor} (of type {type(input_tensor)})")
    return input_tensor


def head(x, include_top: bool, pooling, dropout_rate: float, classes: int,
         classifier_activation, bias_initializer="zeros", kernel_initializer=None):
    """The classifier (average pooling, dropout, Dense "predictions") or the feature pooling
    ("avg", "max", or none) that ends a backbone. `kernel_initializer` None is
    `DENSE_KERNEL_INITIALIZER`."""
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        return layers.Dense(classes, activation=classifier_activation,
                            kernel_initializer=kernel_initializer or DENSE_KERNEL_INITIALIZER,
                            bias_initializer=bias_initializer, name="predictions")(x)
    return pool(x, pooling)


def pool(x, pooling, named: bool = True):
    """Global "avg" or "max" pooling of feature maps (None keeps them), in layers named
    avg_pool / max_pool, or auto-named as some Keras families leave them."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name="avg_pool" if named else None)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name="max_pool" if named else None)(x)
    return x


def functional(img_input, input_tensor, outputs, name: str) -> Functional:
    """The model from its input (or the graph inputs `input_tensor` comes from) to `outputs`."""
    inputs = img_input if input_tensor is None else source_inputs(input_tensor)
    return Functional(inputs, outputs, name=name)


def source_inputs(tensor):
    """The `Input` tensors a symbolic tensor was computed from (one tensor when one)."""
    found, seen, pending = [], set(), [tensor]
    while pending:
        current = pending.pop()
        layer, node_index, _ = current._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in seen:
            continue
        seen.add(id(node))
        if not node.inputs:
            found.append(current)
        pending.extend(reversed(node.inputs))
    return found[0] if len(found) == 1 else found


def load_weights(model, weights, file_name: str, base_url: str, file_hash: str) -> None:
    """Load `weights`: "imagenet" downloads Keras's file (cached under `models/`, checked
    against its md5), a path is read as it is, None keeps the initial weights.

    `$HOCSAU_APPLICATIONS_ORIGIN`, when set, replaces the base URL (a mirror, or a local
    server in tests); the file name and checksum stay Keras's.
    """
    if weights == "imagenet":
        base_url = os.environ.get("HOCSAU_APPLICATIONS_ORIGIN") or base_url
        origin = f"{base_url.rstrip('/')}/{file_name}"
        weights = get_file(file_name, origin, cache_subdir="models", file_hash=file_hash)
    if weights is not None:
        model.load_weights(weights)

