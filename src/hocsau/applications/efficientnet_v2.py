"""EfficientNetV2 B0-B3, S, M and L (Tan & Le, "EfficientNetV2: Smaller Models and Faster
Training", ICML 2021), layer for layer as `keras.applications.efficientnet_v2`, so Keras's
ImageNet weight files load into them."""

from __future__ import annotations

import copy
import math

from hocsau import config, initializers, layers
from hocsau.applications import _application as app
from hocsau.applications import imagenet_utils
from hocsau.applications._efficientnet_blocks import (
    conv_bn,
    depthwise_bn,
    residual,
    squeeze_excite,
)
from hocsau.applications.imagenet_utils import decode_predictions

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
)

# md5 of <name>.h5 and <name>_notop.h5, as Keras checks them.
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}

_KEYS = ("kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio",
         "se_ratio", "strides", "conv_type")
_B = [(3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
      (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0),
      (3, 8, 112, 192, 6, 0.25, 2, 0)]
_S = [(3, 2, 24, 24, 1, 0, 1, 1), (3, 4, 24, 48, 4, 0, 2, 1), (3, 4, 48, 64, 4, 0, 2, 1),
      (3, 6, 64, 128, 4, 0.25, 2, 0), (3, 9, 128, 160, 6, 0.25, 1, 0),
      (3, 15, 160, 256, 6, 0.25, 2, 0)]
_M = [(3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1), (3, 5, 48, 80, 4, 0, 2, 1),
      (3, 7, 80, 160, 4, 0.25, 2, 0), (3, 14, 160, 176, 6, 0.25, 1, 0),
      (3, 18, 176, 304, 6, 0.25, 2, 0), (3, 5, 304, 512, 6, 0.25, 1, 0)]
_L = [(3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1), (3, 7, 64, 96, 4, 0, 2, 1),
      (3, 10, 96, 192, 4, 0.25, 2, 0), (3, 19, 192, 224, 6, 0.25, 1, 0),
      (3, 25, 224, 384, 6, 0.25, 2, 0), (3, 7, 384, 640, 6, 0.25, 1, 0)]

# Stages per model (conv_type 1: fused MBConv, 0: MBConv); B1-B3 scale B0's.
DEFAULT_BLOCKS_ARGS = {
    f"efficientnetv2-{key}": [dict(zip(_KEYS, row, strict=True)) for row in rows]
    for key, rows in [("s", _S), ("m", _M), ("l", _L), ("b0", _B), ("b1", _B), ("b2", _B),
                      ("b3", _B)]
}

_DOC = app.doc("""Instantiates the {name} architecture (EfficientNetV2, ICML 2021).

The model includes its input preprocessing (unless `include_preprocessing=False`): it
expects float pixels in [0, 255], so `hocsau.applications.efficientnet_v2.preprocess_input`
passes inputs through unchanged.

Args:
    include_top: Whether to end with the 1000-way ImageNet classifier ("predictions").
    {weights_args}
    input_shape: Optional shape tuple, only to be given with `include_top=False`; images of
        at least 32x32 with 3 channels (for ImageNet weights).
    pooling: With `include_top=False`: None (4D feature maps), "avg" or "max" (global
        pooling to a 2D tensor).
    classes: Number of classes, only without ImageNet weights (default 1000).
    classifier_activation: Activation of the "predictions" layer; None gives logits. Only
        None or "softmax" with pretrained weights.
    include_preprocessing: Whether the model starts with its Rescaling (and, for B0-B3 on 3
        channels, Normalization) layers.
    name: The model's name.

Returns:
    A functional `Model`.
""")


def _round_filters(filters: float, width: float, min_depth: int = 8, divisor: int = 8) -> int:
    filters *= width
    return int(max(min_depth or divisor, int(filters + divisor / 2) // divisor * divisor))


def _round_repeats(repeats: int, depth: float) -> int:
    return int(math.ceil(depth * repeats))


def _mbconv(x, input_filters, output_filters, expand_ratio, kernel_size, strides, se_ratio,
            momentum, activation, drop_rate, name):
    """MBConv: 1x1 expansion, depthwise convolution, squeeze-excite, 1x1 projection."""
    inputs = x
    filters = input_filters * expand_ratio
    if expand_ratio != 1:
        x = conv_bn(x, filters, 1, f"{name}expand", activation=activation, momentum=momentum)
    x = depthwise_bn(x, kernel_size, strides, name, activation, conv_name="dwconv2",
                     momentum=momentum)
    x = squeeze_excite(x, filters, input_filters, se_ratio, name, activation)
    x = conv_bn(x, output_filters, 1, f"{name}project", momentum=momentum)
    if strides == 1 and input_filters == output_filters:
        x = residual(x, inputs, drop_rate, name)
    return x


def _fused_mbconv(x, input_filters, output_filters, expand_ratio, kernel_size, strides,
                  se_ratio, momentum, activation, drop_rate, name):
    """Fused MBConv: one full k x k expansion convolution instead of 1x1 + depthwise."""
    inputs = x
    filters = input_filters * expand_ratio
    if expand_ratio != 1:
        x = conv_bn(x, filters, kernel_size, f"{name}expand", strides=strides,
                    activation=activation, momentum=momentum)
    x = squeeze_excite(x, filters, input_filters, se_ratio, name, activation)
    expanded = expand_ratio != 1
    x = conv_bn(x, output_filters, 1 if expanded else kernel_size, f"{name}project",
                strides=1 if expanded else strides, momentum=momentum,
                activation=None if expanded else activation)
    if strides == 1 and input_filters == output_filters:
        x = residual(x, inputs, drop_rate, name)
    return x


def _preprocessing(x, key: str, channels: int):
    """B0-B3 on RGB: [0, 255] to [0, 1], then ImageNet mean / std; otherwise to [-1, 1)."""
    if key.startswith("b") and channels == 3:
        x = layers.Rescaling(scale=1.0 / 255)(x)
        return layers.Normalization(mean=[0.485, 0.456, 0.406],
                                    variance=[0.229**2, 0.224**2, 0.225**2],
                                    axis=app.channel_axis())(x)
    return layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)


def _stages(x, blocks_args, width, depth, activation, momentum, drop_connect_rate=0.2):
    """The stages of (fused) MBConv blocks, named block1a, block1b, ...; the drop rate grows
    with the block's index over Keras's total of unscaled repeats."""
    blocks_args = copy.deepcopy(blocks_args)
    total = float(sum(args["num_repeat"] for args in blocks_args))
    index = 0
    for stage, args in enumerate(blocks_args, start=1):
        args["input_filters"] = _round_filters(args["input_filters"], width)
        args["output_filters"] = _round_filters(args["output_filters"], width)
        block = _fused_mbconv if args.pop("conv_type") == 1 else _mbconv
        for j in range(_round_repeats(args.pop("num_repeat"), depth)):
            if j > 0:
                args["strides"], args["input_filters"] = 1, args["output_filters"]
            x = block(x, **args, momentum=momentum, activation=activation,
                      drop_rate=drop_connect_rate * index / total,
                      name=f"block{stage}{chr(j + 97)}_")
            index += 1
    return x


def _efficientnet_v2(width, depth, default_size, key, *, include_top, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation,
                     include_preprocessing, name, momentum=0.9, activation="swish"):
    app.check_arguments(weights, include_top, classes, classifier_activation)
    blocks_args = DEFAULT_BLOCKS_ARGS[f"efficientnetv2-{key}"]
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top, weights=weights)
    x = img_input = app.image_input(input_tensor, input_shape)
    if include_preprocessing:
        x = _preprocessing(x, key, input_shape[app.channel_axis() - 1])
    x = conv_bn(x, _round_filters(blocks_args[0]["input_filters"], width), 3, "stem",
                strides=2, activation=activation, momentum=momentum)
    x = _stages(x, blocks_args, width, depth, activation, momentum)
    x = conv_bn(x, _round_filters(1280, width), 1, "top", activation=activation,
                momentum=momentum)
    x = app.head(x, include_top, pooling, 0.2, classes, classifier_activation,
                 bias_initializer=initializers.Constant(0.0))
    model = app.functional(img_input, input_tensor, x, name)
    weights_name = key if key.startswith("b") else f"-{key}"
    suffix, file_hash = (".h5", WEIGHTS_HASHES[weights_name][0]) if include_top else (
        "_notop.h5", WEIGHTS_HASHES[weights_name][1])
    app.load_weights(model, weights, name + suffix, BASE_WEIGHTS_PATH, file_hash)
    return model


def _variant(function_name: str, key: str, width: float, depth: float, default_size: int):
    """The public constructor of one EfficientNetV2 size, with Keras's signature."""

    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax",
              include_preprocessing=True, name=f"efficientnetv2-{key}"):
        return _efficientnet_v2(width, depth, default_size, key, include_top=include_top,
                                weights=weights, input_tensor=input_tensor,
                                input_shape=input_shape, pooling=pooling, classes=classes,
                                classifier_activation=classifier_activation,
                                include_preprocessing=include_preprocessing, name=name)

    build.__name__ = build.__qualname__ = function_name
    build.__doc__ = _DOC.format(name=function_name)
    return build


EfficientNetV2B0 = _variant("EfficientNetV2B0", "b0", 1.0, 1.0, 224)
EfficientNetV2B1 = _variant("EfficientNetV2B1", "b1", 1.0, 1.1, 240)
EfficientNetV2B2 = _variant("EfficientNetV2B2", "b2", 1.1, 1.2, 260)
EfficientNetV2B3 = _variant("EfficientNetV2B3", "b3", 1.2, 1.4, 300)
EfficientNetV2S = _variant("EfficientNetV2S", "s", 1.0, 1.0, 384)
EfficientNetV2M = _variant("EfficientNetV2M", "m", 1.0, 1.0, 480)
EfficientNetV2L = _variant("EfficientNetV2L", "l", 1.0, 1.0, 480)


preprocess_input = app.preprocessor(None)


__all__ = ["EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3",
           "EfficientNetV2L", "EfficientNetV2M", "EfficientNetV2S", "decode_predictions",
           "preprocess_input"]
