"""MobileNet (Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile
Vision Applications", 2017), layer for layer as `keras.applications.mobilenet`."""

from __future__ import annotations

import warnings

from hocsau import config, layers
from hocsau.applications import _application as app
from hocsau.applications import imagenet_utils
from hocsau.applications.imagenet_utils import decode_predictions

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"

MESSAGES = (
    "The `weights` argument should be either `None` (random initialization), 'imagenet' "
    "(pre-training on ImageNet), or the path to the weights file to be loaded. "
    "Received weights={weights}",
    "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  "
    "Received classes={classes}",
)

# The image sizes and widths Keras has ImageNet weights for; width 1.0 is "1_0" in names.
_SIZES = (128, 160, 192, 224)
_ALPHA_TEXT = {0.25: "2_5", 0.5: "5_0", 0.75: "7_5", 1.0: "1_0"}

# (pointwise filters, strides) of the 13 depthwise-separable blocks.
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True,
              weights="imagenet", input_tensor=None, pooling=None, classes=1000,
              classifier_activation="softmax", name=None):
    """Instantiates the MobileNet architecture.

    Inputs are expected preprocessed by `hocsau.applications.mobilenet.preprocess_input`
    (pixels scaled to [-1, 1]).

    Args:
        input_shape: Optional shape tuple; with `include_top` and ImageNet weights one of
            Keras's square sizes 128, 160, 192 or 224 (the default). Height and width of at
            least 32.
        alpha: Width multiplier of every layer's filters (0.25, 0.5, 0.75 or 1.0 for
            ImageNet weights).
        depth_multiplier: Depth multiplier of the depthwise convolutions (1 for ImageNet
            weights).
        dropout: Dropout rate before the classifier.
        include_top: Whether to end with the classifier (a 1x1 convolution "conv_preds").
        weights: None (random initialization), "imagenet" (Keras's pretrained weights for
            the input size, 224 when the size has none), or the path of a weights file.
        input_tensor: Optional symbolic tensor (from `Input`) to use as the model's input.
        pooling: With `include_top=False`: None (4D feature maps), "avg" or "max".
        classes: Number of classes, only without ImageNet weights (default 1000).
        classifier_activation: Activation of the "predictions" layer; None gives logits.
            Only None or "softmax" with pretrained weights.
        name: The model's name; None means `mobilenet_{alpha:0.2f}_{rows}`.

    Returns:
        A functional `Model`.
    """
    app.check_arguments(weights, include_top, classes, classifier_activation, MESSAGES)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=_default_size(input_shape), min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top, weights=weights)
    rows = _weights_rows(input_shape, alpha, depth_multiplier, weights)
    img_input = app.image_input(input_tensor, input_shape)
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, (stride, stride),
                                  block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = app.pool(x, pooling, named=False)
    model = app.functional(img_input, input_tensor, x, name or f"mobilenet_{alpha:0.2f}_{rows}")
    suffix = "tf" if include_top else "tf_no_top"  # Keras publishes no hashes for these
    app.load_weights(model, weights, f"mobilenet_{_ALPHA_TEXT.get(alpha)}_{rows}_{suffix}.h5",
                     BASE_WEIGHT_PATH, None)
    return model


def _default_size(input_shape) -> int:
    """A square input of one of Keras's sizes is the default size; else 224."""
    if input_shape is None:
        return 224
    first = config.image_data_format() == "channels_first"
    rows, cols = (input_shape[1], input_shape[2]) if first else (input_shape[0], input_shape[1])
    return rows if rows == cols and rows in _SIZES else 224


def _weights_rows(input_shape, alpha, depth_multiplier, weights):
    """The input rows, checked against the ImageNet weights' widths; 224 (with a warning)
    where those weights have no file for the size."""
    first = config.image_data_format() == "channels_first"
    rows, cols = input_shape[1:3] if first else input_shape[:2]
    if weights != "imagenet":
        return rows
    if depth_multiplier != 1:
        raise ValueError("If imagenet weights are being loaded, depth multiplier must be 1.  "
                         f"Received depth_multiplier={depth_multiplier}")
    if alpha not in _ALPHA_TEXT:
        raise ValueError("If imagenet weights are being loaded, alpha can be one of`0.25`, "
                         f"`0.50`, `0.75` or `1.0` only.  Received alpha={alpha}")
    if rows != cols or rows not in _SIZES:
        warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in "
                      "[128, 160, 192, 224]. Weights for input shape (224, 224) will be "
                      "loaded as the default.", stacklevel=3)
        return 224
    return rows


def _conv_block(inputs, filters: int, alpha: float, kernel=(3, 3), strides=(1, 1)):
    """The stem: a strided 3x3 convolution, batch normalization, ReLU6."""
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False,
                      strides=strides, name="conv1")(inputs)
    x = layers.BatchNormalization(axis=app.channel_axis(), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs, pointwise_filters: int, alpha: float, depth_multiplier: int,
                          strides=(1, 1), block_id: int = 1):
    """A 3x3 depthwise convolution (padded bottom-right when strided, as TensorFlow's 'same'
    does) and a 1x1 pointwise convolution, each with batch normalization and ReLU6."""
    x = inputs
    if strides != (1, 1):
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=app.channel_axis(), name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_filters * alpha), (1, 1), padding="same", use_bias=False,
                      strides=(1, 1), name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=app.channel_axis(), name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def preprocess_input(x, data_format=None):
    """Pixels in [0, 255] scaled to [-1, 1]; see
    `hocsau.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")



__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]
