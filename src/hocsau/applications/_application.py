"""What every application model shares around its backbone: argument checks, the input, the
classifier or pooling head, the functional model, and its weights."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

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




def weights_message(quote: str = "`", end: str = ".") -> str:
    """Keras's `weights` error as one family words it: the quotes around imagenet, the end
    (formatted later with `weights`)."""
    return ("The `weights` argument should be either `None` (random initialization), "
            f"{quote}imagenet{quote} (pre-training on ImageNet), or the path to the weights "
            f"file to be loaded{end}")


def tf_kernels_files(model: str, hashes: tuple) -> tuple:
    """`Family.files` for Keras's `<model>_weights_tf_dim_ordering_tf_kernels.h5` and its
    `_notop.h5`, with their md5 `hashes`."""
    stem = f"{model}_weights_tf_dim_ordering_tf_kernels"
    return (f"{stem}.h5", hashes[0]), (f"{stem}_notop.h5", hashes[1])


# Keras words these two errors differently in each family: (weights, classes) templates.
MESSAGES = (
    weights_message(end=". Received: weights={weights}"),
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
    check_weights(weights, include_top, classes, messages)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)


def check_weights(weights, include_top: bool, classes: int, messages: tuple = MESSAGES) -> None:
    """`check_arguments` without the activation, which some families check once built."""
    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ValueError(messages[0].format(weights=weights))
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(messages[1].format(classes=classes))


def require_channels_last(family: str) -> None:
    """Keras's refusal of `channels_first` in the families built for channels_last only."""
    if config.image_data_format() == "channels_first":
        raise ValueError(f"{family} does not support the `channels_first` image data format. "
                         "Switch to `channels_last` by editing your local config file at "
                         "~/.keras/keras.json")


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
         classifier_activation, bias_initializer="zeros", kernel_initializer=None, *,
         top_pool: str | None = "avg_pool", named_pooling: bool = True):
    """The classifier (average pooling `top_pool`, dropout, Dense "predictions") or the
    feature pooling ("avg", "max", or none; see `pool`) that ends a backbone.
    `kernel_initializer` None is `DENSE_KERNEL_INITIALIZER`."""
    if include_top:
        x = layers.GlobalAveragePooling2D(name=top_pool)(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        return layers.Dense(classes, activation=classifier_activation,
                            kernel_initializer=kernel_initializer or DENSE_KERNEL_INITIALIZER,
                            bias_initializer=bias_initializer, name="predictions")(x)
    return pool(x, pooling, named_pooling)


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


def load_weights(model, weights, file_name: str, base_url: str, file_hash: str,
                 url_name: str | None = None) -> None:
    """Load `weights`: "imagenet" downloads Keras's file (cached under `models/` as
    `file_name`, checked against its hash), a path is read as it is, None keeps the initial
    weights. `url_name` is the file's name at `base_url` where it differs from `file_name`.

    `$HOCSAU_APPLICATIONS_ORIGIN`, when set, replaces the base URL (a mirror, or a local
    server in tests); the file names and checksum stay Keras's.
    """
    if weights == "imagenet":
        base_url = os.environ.get("HOCSAU_APPLICATIONS_ORIGIN") or base_url
        origin = f"{base_url.rstrip('/')}/{url_name or file_name}"
        weights = get_file(file_name, origin, cache_subdir="models", file_hash=file_hash)
    if weights is not None:
        model.load_weights(weights)



@dataclasses.dataclass
class Family:
    """What sets one model (or family) apart in the skeleton the applications share.

    Attributes:
        default_size: Image height and width of the ImageNet weights.
        min_size: The smallest height and width accepted.
        base_url: Where Keras's weight files are.
        files: `((file name, hash), (file name, hash))` of the weights with the classifier,
            then without (None where the file name depends on the model's name).
        messages: Keras's wording of the `weights` and `classes` errors (see `MESSAGES`).
        channels_last_only: The family's name in Keras's `channels_first` refusal, or None
            where both data formats are allowed.
        named_pooling: Whether `pooling` layers are named avg_pool / max_pool.
    """

    default_size: int
    min_size: int
    base_url: str
    files: tuple | None = None
    messages: tuple = MESSAGES
    channels_last_only: str | None = None
    named_pooling: bool = False


def prepare_input(family: Family, weights, include_top: bool, classes: int, input_tensor,
                  input_shape, check: Callable | None = None):
    """Keras's argument checks (then `check()`, a family's own), then `(image input, input
    shape)` for `family`."""
    if family.channels_last_only:
        require_channels_last(family.channels_last_only)
    check_weights(weights, include_top, classes, family.messages)
    if check is not None:
        check()
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=family.default_size, min_size=family.min_size,
        data_format=config.image_data_format(), require_flatten=include_top, weights=weights)
    return image_input(input_tensor, input_shape), input_shape


def build(family: Family, backbone: Callable, *, include_top, weights, input_tensor,
          input_shape, pooling, classes, classifier_activation, name) -> Functional:
    """The model `backbone(image input)` topped by Keras's plain classifier (average pooling
    "avg_pool", Dense "predictions") or pooling, with `family`'s weight files."""
    img_input, _ = prepare_input(family, weights, include_top, classes, input_tensor,
                                 input_shape)
    x = backbone(img_input)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
    x = head(x, include_top, pooling, 0.0, classes, classifier_activation,
             kernel_initializer="glorot_uniform", named_pooling=family.named_pooling)
    model = functional(img_input, input_tensor, x, name)
    file_name, file_hash = family.files[0 if include_top else 1]
    load_weights(model, weights, file_name, family.base_url, file_hash)
    return model


# Docstring parts most constructors share: `doc` puts them in place of "{weights_args}" and
# "{head_args}" (the rest of a docstring is formatted later).
DOC_PARTS = {
    "weights_args": """weights: None (random initialization), "imagenet" (Keras's pretrained
        weights, downloaded once into the cache's `models` folder), or the path of a weights
        file.
    input_tensor: Optional symbolic tensor (from `Input`) to use as the model's input.""",
    "head_args": """pooling: With `include_top=False`: None (4D feature maps), "avg" or "max"
        (global pooling to a 2D tensor).
    classes: Number of classes, only without ImageNet weights (default 1000).
    classifier_activation: Activation of the "predictions" layer; None gives logits. Only
        None or "softmax" with pretrained weights.
    name: The model's name.

Returns:
    A functional `Model`.""",
}


def doc(template: str) -> str:
    """`template` with `DOC_PARTS` in place of their names in braces."""
    for key, text in DOC_PARTS.items():
        template = template.replace("{" + key + "}", text)
    return template


DOC = doc("""Instantiates the {name} architecture ({paper}).

Inputs are expected preprocessed by `hocsau.applications.{module}.preprocess_input`
({preprocessing}).

Args:
    include_top: Whether to end with the ImageNet classifier (average pooling "avg_pool",
        Dense "predictions").
    {weights_args}
    input_shape: Optional shape tuple, only to be given with `include_top=False` (the
        ImageNet classifier needs {size}x{size}x3); height and width of at least {min_size}.
    {head_args}
""")

_PREPROCESSING = {
    "caffe": "Caffe-style preprocessing of pixels in [0, 255]: RGB to BGR, then ImageNet's "
             "channel means subtracted",
    "tf": "Pixels in [0, 255] scaled to [-1, 1]",
    "torch": "Torch-style preprocessing of pixels in [0, 255]: scaled to [0, 1], then each "
             "channel standardized with ImageNet's mean and standard deviation",
}


def preprocessor(mode: str | None) -> Callable:
    """A family's `preprocess_input(x, data_format=None)`: `imagenet_utils.preprocess_input`
    in `mode`, or, for None, `x` unchanged (models that preprocess their inputs inside)."""

    def preprocess_input(x, data_format=None):
        if mode is None:
            return x
        return imagenet_utils.preprocess_input(x, data_format=data_format, mode=mode)

    if mode is None:
        preprocess_input.__doc__ = ("Returns `x` unchanged: the model preprocesses its inputs "
                                    "itself (kept for Keras's API; `data_format` is ignored).")
    else:
        preprocess_input.__doc__ = (f"{_PREPROCESSING[mode]}; see "
                                    "`hocsau.applications.imagenet_utils.preprocess_input`.")
    return preprocess_input


def constructor(function_name: str, family: Family, backbone: Callable, default_name: str,
                about: dict) -> Callable:
    """A public constructor with Keras's common signature, building `backbone` in `family`;
    `about` fills `DOC`'s paper, module and preprocessing."""

    def construct(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                  pooling=None, classes=1000, classifier_activation="softmax",
                  name=default_name):
        return build(family, backbone, include_top=include_top, weights=weights,
                     input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
                     classes=classes, classifier_activation=classifier_activation, name=name)

    construct.__name__ = construct.__qualname__ = function_name
    construct.__doc__ = DOC.format(name=function_name, size=family.default_size,
                                   min_size=family.min_size, **about)
    return construct
