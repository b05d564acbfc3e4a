"""EfficientNet B0 to B7 (Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional
Neural Networks", ICML 2019), layer for layer as `keras.applications.efficientnet`, so Keras's
ImageNet weight files load into them."""

from __future__ import annotations

import copy
import math

from hocsau import config, layers
from hocsau.applications import _application as app
from hocsau.applications import imagenet_utils
from hocsau.applications._efficientnet_blocks import (
    conv_bn,
    depthwise_bn,
    residual,
    squeeze_excite,
)
from hocsau.applications.imagenet_utils import decode_predictions

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"

# md5 of <name>.h5 and <name>_notop.h5, as Keras checks them.
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}

# The B0 stages; every block has an identity skip and squeeze-and-excitation of 0.25.
DEFAULT_BLOCKS_ARGS = [
    {"kernel_size": k, "repeats": r, "filters_in": i, "filters_out": o, "expand_ratio": e,
     "id_skip": True, "strides": s, "se_ratio": 0.25}
    for k, r, i, o, e, s in [(3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
                             (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1),
                             (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1)]
]

# The released weights hold these values as the Normalization layer's variance, so
# ImageNet models rescale by 1/sqrt(std) once more to divide by the true std.
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]

_DOC = app.doc("""Instantiates the {name} architecture (EfficientNet, ICML 2019).

The model includes its input preprocessing (Rescaling and Normalization layers): it expects
float pixels in [0, 255], so `hocsau.applications.efficientnet.preprocess_input` passes
inputs through unchanged.

Args:
    include_top: Whether to end with the 1000-way ImageNet classifier ("predictions").
    {weights_args}
    input_shape: Optional shape tuple, only to be given with `include_top=False`; images of
        at least 32x32 with 3 channels (for ImageNet weights).
    {head_args}
""")


def _round_filters(filters: float, width: float, divisor: int = 8) -> int:
    """`filters * width` rounded to a multiple of `divisor`, never 10% below it."""
    filters *= width
    new_filters = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    if new_filters < 0.9 * filters:
        new_filters += divisor
    return int(new_filters)


def _round_repeats(repeats: int, depth: float) -> int:
    return int(math.ceil(depth * repeats))


def _block(x, activation, drop_rate, name, filters_in, filters_out, kernel_size, strides,
           expand_ratio, se_ratio, id_skip):
    """The inverted residual (MBConv) block: expand, depthwise, squeeze-excite, project."""
    inputs = x
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        x = conv_bn(x, filters, 1, f"{name}expand", activation=activation)
    x = depthwise_bn(x, kernel_size, strides, name, activation, tf_padding=True)
    x = squeeze_excite(x, filters, filters_in, se_ratio, name, activation)
    x = conv_bn(x, filters_out, 1, f"{name}project")
    if id_skip and strides == 1 and filters_in == filters_out:
        x = residual(x, inputs, drop_rate, name)
    return x


def _stem(x, weights, filters: int, activation):
    """Pixels in [0, 255] to ImageNet-normalized values, then the strided stem convolution."""
    x = layers.Rescaling(1.0 / 255.0)(x)
    x = layers.Normalization(axis=app.channel_axis())(x)
    if weights == "imagenet":
        x = layers.Rescaling([1.0 / math.sqrt(std) for std in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    return conv_bn(x, filters, 3, "stem", strides=2, padding="valid", activation=activation)


def _stages(x, width: float, depth: float, activation, drop_connect_rate: float):
    """The seven stages of blocks, named block1a, block1b, ..., with the drop rate growing
    linearly with the block's index."""
    blocks_args = copy.deepcopy(DEFAULT_BLOCKS_ARGS)
    total = float(sum(_round_repeats(args["repeats"], depth) for args in blocks_args))
    index = 0
    for stage, args in enumerate(blocks_args, start=1):
        args["filters_in"] = _round_filters(args["filters_in"], width)
        args["filters_out"] = _round_filters(args["filters_out"], width)
        for j in range(_round_repeats(args.pop("repeats"), depth)):
            if j > 0:
                args["strides"], args["filters_in"] = 1, args["filters_out"]
            x = _block(x, activation, drop_connect_rate * index / total,
                       f"block{stage}{chr(j + 97)}_", **args)
            index += 1
    return x


def _efficientnet(width: float, depth: float, default_size: int, dropout_rate: float,
                  weights_name: str, *, include_top, weights, input_tensor, input_shape,
                  pooling, classes, classifier_activation, name,
                  drop_connect_rate: float = 0.2, activation: str = "swish"):
    app.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top, weights=weights)
    img_input = app.image_input(input_tensor, input_shape)
    x = _stem(img_input, weights, _round_filters(32, width), activation)
    x = _stages(x, width, depth, activation, drop_connect_rate)
    x = conv_bn(x, _round_filters(1280, width), 1, "top", activation=activation)
    x = app.head(x, include_top, pooling, dropout_rate, classes, classifier_activation)
    model = app.functional(img_input, input_tensor, x, name)
    suffix, file_hash = (".h5", WEIGHTS_HASHES[weights_name][0]) if include_top else (
        "_notop.h5", WEIGHTS_HASHES[weights_name][1])
    app.load_weights(model, weights, name + suffix, BASE_WEIGHTS_PATH, file_hash)
    return model


def _variant(function_name: str, width: float, depth: float, default_size: int,
             dropout_rate: float):
    """The public constructor of one EfficientNet size, with Keras's signature."""
    weights_name = function_name[-2:].lower()

    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax",
              name=f"efficientnet{weights_name}"):
        return _efficientnet(width, depth, default_size, dropout_rate, weights_name,
                             include_top=include_top, weights=weights,
                             input_tensor=input_tensor, input_shape=input_shape,
                             pooling=pooling, classes=classes,
                             classifier_activation=classifier_activation, name=name)

    build.__name__ = build.__qualname__ = function_name
    build.__doc__ = _DOC.format(name=function_name)
    return build


EfficientNetB0 = _variant("EfficientNetB0", 1.0, 1.0, 224, 0.2)
EfficientNetB1 = _variant("EfficientNetB1", 1.0, 1.1, 240, 0.2)
EfficientNetB2 = _variant("EfficientNetB2", 1.1, 1.2, 260, 0.3)
EfficientNetB3 = _variant("EfficientNetB3", 1.2, 1.4, 300, 0.3)
EfficientNetB4 = _variant("EfficientNetB4", 1.4, 1.8, 380, 0.4)
EfficientNetB5 = _variant("EfficientNetB5", 1.6, 2.2, 456, 0.4)
EfficientNetB6 = _variant("EfficientNetB6", 1.8, 2.6, 528, 0.5)
EfficientNetB7 = _variant("EfficientNetB7", 2.0, 3.1, 600, 0.5)


preprocess_input = app.preprocessor(None)


__all__ = ["EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3",
           "EfficientNetB4", "EfficientNetB5", "EfficientNetB6", "EfficientNetB7",
           "decode_predictions", "preprocess_input"]
