"""MobileNetV2 (Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
CVPR 2018), layer for layer as `keras.applications.mobilenet_v2`."""

from __future__ import annotations

import warnings

from hocsau import backend, config, layers
from hocsau.applications import _application as app
from hocsau.applications import imagenet_utils
from hocsau.applications.imagenet_utils import decode_predictions

BASE_WEIGHT_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
)

MESSAGES = (
    "The `weights` argument should be either `None` (random initialization), `imagenet` "
    "(pre-training on ImageNet), or the path to the weights file to be loaded.  "
    "Received `weights={weights}`",
    'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000. '
    "Received `classes={classes}`",
)

# The image sizes and widths Keras has ImageNet weights for.
_SIZES = (96, 128, 160, 192, 224)
_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)

# (filters, stride, expansion) of the 17 inverted residual blocks.
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6),
           (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6),
           (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6))


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet",
                input_tensor=None, pooling=None, classes=1000,
                classifier_activation="softmax", name=None):
    """Instantiates the MobileNetV2 architecture.

    Inputs are expected preprocessed by `hocsau.applications.mobilenet_v2.preprocess_input`
    (pixels scaled to [-1, 1]).

    Args:
        input_shape: Optional shape tuple (else taken from `input_tensor`); with
            `include_top` and ImageNet weights one of Keras's square sizes 96, 128, 160, 192
            or 224 (the default). Height and width of at least 32.
        alpha: Width multiplier of the blocks' filters (0.35, 0.5, 0.75, 1.0, 1.3 or 1.4
            for ImageNet weights); above 1 it widens the last convolution too.
        include_top: Whether to end with the classifier (Dense "predictions").
        weights: None (random initialization), "imagenet" (Keras's pretrained weights for
            the input size, 224 when the size has none), or the path of a weights file.
        input_tensor: Optional symbolic tensor (from `Input`) to use as the model's input.
        pooling: With `include_top=False`: None (4D feature maps), "avg" or "max".
        classes: Number of classes, only without ImageNet weights (default 1000).
        classifier_activation: Activation of the "predictions" layer; None gives logits.
            Only None or "softmax" with pretrained weights.
        name: The model's name; None means `mobilenetv2_{alpha:0.2f}_{rows}`.

    Returns:
        A functional `Model`.
    """
    app.check_arguments(weights, include_top, classes, classifier_activation, MESSAGES)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=_default_size(input_shape, input_tensor), min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top, weights=weights)
    rows = _weights_rows(input_shape, alpha, weights)
    img_input = app.image_input(input_tensor, input_shape)
    x = layers.Conv2D(make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2),
                      padding="same", use_bias=False, name="Conv1")(img_input)
    x = _batch_norm("bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, expansion, stride, alpha, filters, block_id)
    last_filters = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = _batch_norm("Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = app.pool(x, pooling, named=False)
    model = app.functional(img_input, input_tensor, x,
                           name or f"mobilenetv2_{alpha:0.2f}_{rows}")
    suffix = "" if include_top else "_no_top"  # Keras publishes no hashes for these
    app.load_weights(model, weights, "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_"
                     f"{float(alpha)}_{rows}{suffix}.h5", BASE_WEIGHT_PATH, None)
    return model


def make_divisible(value: float, divisor: int, min_value: int | None = None) -> int:
    """`value` rounded to the nearest multiple of `divisor` (at least `min_value`, by default
    `divisor`), never more than 10% below it."""
    min_value = min_value or divisor
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def _spatial(shape) -> tuple:
    """(rows, cols) of an image shape without its batch axis."""
    first = config.image_data_format() == "channels_first"
    return (shape[1], shape[2]) if first else (shape[0], shape[1])


def _default_size(input_shape, input_tensor) -> int:
    """The size of a square input of one of Keras's sizes (from `input_shape`, else from
    `input_tensor`), else 224; a given shape must agree with the tensor's."""
    if input_tensor is not None and not backend.is_keras_tensor(input_tensor):
        if input_shape is not None:
            raise ValueError("input_tensor is not a Keras tensor; Received "
                             f"`input_tensor={input_tensor}`")
        return 224
    if input_shape is not None and input_tensor is not None:
        _check_tensor_shape(input_shape, input_tensor)
    if input_shape is None and input_tensor is None:
        return 224
    rows, cols = _spatial(input_shape) if input_shape is not None else _spatial(
        input_tensor.shape[1:])
    return rows if rows == cols and rows in _SIZES else 224


def _check_tensor_shape(input_shape, input_tensor) -> None:
    if config.image_data_format() == "channels_first":
        if input_tensor.shape[1] != input_shape[1]:
            raise ValueError("input_shape[1] must equal shape(input_tensor)[1] when "
                             "`image_data_format` is `channels_first`; Received "
                             f"`input_tensor.shape={input_tensor.shape}`, "
                             f"`input_shape={input_shape}`")
    elif input_tensor.shape[2] != input_shape[1]:
        raise ValueError("input_tensor.shape[2] must equal input_shape[1]; Received "
                         f"`input_tensor.shape={input_tensor.shape}`, "
                         f"`input_shape={input_shape}`")


def _weights_rows(input_shape, alpha, weights):
    """The input rows, checked against the ImageNet weights' widths; 224 (with a warning)
    where those weights have no file for the size."""
    rows, cols = _spatial(input_shape)
    if weights != "imagenet":
        return rows
    if alpha not in _ALPHAS:
        raise ValueError("If imagenet weights are being loaded, alpha must be one of `0.35`, "
                         f"`0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; Received `alpha={alpha}`")
    if rows != cols or rows not in _SIZES:
        warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in "
                      "[96, 128, 160, 192, 224]. Weights for input shape (224, 224) will be "
                      "loaded as the default.", stacklevel=3)
        return 224
    return rows


def _batch_norm(name: str):
    return layers.BatchNormalization(axis=app.channel_axis(), epsilon=1e-3, momentum=0.999,
                                     name=name)


def _inverted_res_block(inputs, expansion: int, stride: int, alpha: float, filters: int,
                        block_id: int):
    """Expand (1x1, ReLU6; not in block 0), 3x3 depthwise (ReLU6), project linearly (1x1),
    plus the input when the shape is kept."""
    in_channels = inputs.shape[app.channel_axis()]
    pointwise_filters = make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_" if block_id else "expanded_conv_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, activation=None, name=f"{prefix}expand")(x)
        x = _batch_norm(f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3),
                                 name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = _batch_norm(f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False,
                      activation=None, name=f"{prefix}project")(x)
    x = _batch_norm(f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def preprocess_input(x, data_format=None):
    """Pixels in [0, 255] scaled to [-1, 1]; see
    `hocsau.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")



__all__ = ["MobileNetV2", "decode_predictions", "preprocess_input"]
