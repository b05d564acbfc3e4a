"""MobileNetV3Small and MobileNetV3Large (Howard et al., "Searching for MobileNetV3", ICCV
2019), layer for layer as `keras.applications.mobilenet_v3`."""

from __future__ import annotations

import warnings

from hocsau import backend, config, layers
from hocsau.applications import _application as app
from hocsau.applications import imagenet_utils
from hocsau.applications.imagenet_utils import decode_predictions
from hocsau.applications.mobilenet_v2 import make_divisible

BASE_WEIGHT_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
)

# md5 of weights_mobilenet_v3_<name>.h5 and of its _no_top_v2.h5, as Keras checks them.
WEIGHTS_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c",
                                         "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37",
                                         "cde8136e733e811080d9fcd8a252f7e4"),
}

MESSAGES = (
    "The `weights` argument should be either `None` (random initialization), `imagenet` "
    "(pre-training on ImageNet), or the path to the weights file to be loaded.  "
    "Received weights={weights}",
    'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000.  '
    "Received classes={classes}",
)

# The blocks: (expansion, filters, kernel size (None: the model's), stride,
# squeeze-and-excitation, nonlinearity ("relu", or None: the model's)).
_SMALL = ((1, 16, 3, 2, True, "relu"), (72 / 16, 24, 3, 2, False, "relu"),
          (88 / 24, 24, 3, 1, False, "relu"), (4, 40, None, 2, True, None),
          (6, 40, None, 1, True, None), (6, 40, None, 1, True, None),
          (3, 48, None, 1, True, None), (3, 48, None, 1, True, None),
          (6, 96, None, 2, True, None), (6, 96, None, 1, True, None),
          (6, 96, None, 1, True, None))
_LARGE = ((1, 16, 3, 1, False, "relu"), (4, 24, 3, 2, False, "relu"),
          (3, 24, 3, 1, False, "relu"), (3, 40, None, 2, True, "relu"),
          (3, 40, None, 1, True, "relu"), (3, 40, None, 1, True, "relu"),
          (6, 80, 3, 2, False, None), (2.5, 80, 3, 1, False, None),
          (2.3, 80, 3, 1, False, None), (2.3, 80, 3, 1, False, None),
          (6, 112, 3, 1, True, None), (6, 112, 3, 1, True, None),
          (6, 160, None, 2, True, None), (6, 160, None, 1, True, None),
          (6, 160, None, 1, True, None))

_DOC = app.doc("""Instantiates the {name} architecture (MobileNetV3, ICCV 2019).

With `include_preprocessing` (the default) the model rescales its inputs itself: it expects
float pixels in [0, 255], so `hocsau.applications.mobilenet_v3.preprocess_input` passes
inputs through unchanged.

Args:
    input_shape: Optional shape tuple (else taken from `input_tensor`; default any size
        with 3 channels). Height and width of at least 32; ImageNet weights are for 224x224.
    alpha: Width multiplier of the blocks' filters (0.75 or 1.0 for ImageNet weights, 1.0
        only when minimalistic); above 1 it widens the last convolution too.
    minimalistic: ReLU and 3x3 kernels everywhere, no squeeze-and-excitation.
    include_top: Whether to end with the classifier ("conv_2", "logits", "predictions").
    {weights_args}
    classes: Number of classes, only without ImageNet weights (default 1000).
    pooling: With `include_top=False`: None (4D feature maps), "avg" or "max".
    dropout_rate: Dropout rate before the "logits" convolution.
    classifier_activation: Activation of the "predictions" layer; None gives logits. Only
        None or "softmax" with pretrained weights.
    include_preprocessing: Whether to start with a Rescaling layer to [-1, 1].
    name: The model's name.

Returns:
    A functional `Model`.
""")


def _activation(x, name: str):
    """ReLU or hard swish, as auto-named layers."""
    return layers.ReLU()(x) if name == "relu" else layers.Activation("hard_swish")(x)


def _hard_sigmoid(x):
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def _batch_norm(name: str):
    return layers.BatchNormalization(axis=app.channel_axis(), epsilon=1e-3, momentum=0.999,
                                     name=name)


def _se_block(inputs, filters: int, se_ratio: float, prefix: str):
    """Squeeze-and-excitation: channel gates from the pooled features, hard-sigmoid."""
    x = layers.GlobalAveragePooling2D(keepdims=True,
                                      name=f"{prefix}squeeze_excite_avg_pool")(inputs)
    x = layers.Conv2D(make_divisible(filters * se_ratio, 8), kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv_1")(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, _hard_sigmoid(x)])


def _inverted_res_block(x, expansion: float, filters: int, kernel_size: int, stride: int,
                        se_ratio, activation, block_id: int):
    """Expand (1x1; not in block 0), depthwise (TensorFlow-style padding when strided),
    squeeze-and-excite, project linearly (1x1), plus the input when the shape is kept."""
    shortcut, in_filters = x, x.shape[app.channel_axis()]
    expanded = make_divisible(in_filters * expansion, 8)
    prefix = f"expanded_conv_{block_id}_" if block_id else "expanded_conv_"
    if block_id:
        x = layers.Conv2D(expanded, kernel_size=1, padding="same", use_bias=False,
                          name=f"{prefix}expand")(x)
        x = _activation(_batch_norm(f"{prefix}expand_bn")(x), activation)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = _activation(_batch_norm(f"{prefix}depthwise_bn")(x), activation)
    if se_ratio:
        x = _se_block(x, expanded, se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = _batch_norm(f"{prefix}project_bn")(x)
    if stride == 1 and in_filters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def _stack(x, blocks, alpha: float, minimalistic: bool):
    """The inverted residual blocks of `blocks`, the model's kernel size, gate and
    nonlinearity filled in (3x3, none and ReLU when minimalistic)."""
    kernel, se_ratio, act = (3, None, "relu") if minimalistic else (5, 0.25, "hard_swish")
    for block_id, (expansion, filters, size, stride, se, block_act) in enumerate(blocks):
        x = _inverted_res_block(x, expansion, make_divisible(filters * alpha, 8),
                                size or kernel, stride, se_ratio if se else None,
                                block_act or act, block_id)
    return x


def _top(x, last_point_ch: int, act: str, dropout_rate: float, classes: int,
         classifier_activation):
    """Pooled 1x1 convolutions "conv_2" and "logits" (with dropout between), flattened."""
    x = layers.GlobalAveragePooling2D(keepdims=True)(x)
    x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True,
                      name="conv_2")(x)
    x = _activation(x, act)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate)(x)
    x = layers.Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
    x = layers.Flatten()(x)
    return layers.Activation(activation=classifier_activation, name="predictions")(x)


def _input_shape(input_shape, input_tensor):
    """The input shape as Keras's MobileNetV3 settles it: the given one (checked against
    `input_tensor`), else the tensor's (its rows and columns swapped, as in Keras), else
    any size with 3 channels; at least 32x32 where known."""
    first = config.image_data_format() == "channels_first"
    if input_tensor is not None and not backend.is_keras_tensor(input_tensor):
        if input_shape is not None:
            raise ValueError(f"input_tensor specified: {input_tensor} is not a keras tensor")
    elif input_shape is not None and input_tensor is not None:
        _check_tensor_shape(input_shape, input_tensor, first)
    elif input_tensor is not None:
        rows, cols = input_tensor.shape[2:4] if first else input_tensor.shape[1:3]
        input_shape = (3, cols, rows) if first else (cols, rows, 3)
    if input_shape is None:
        input_shape = (3, None, None) if first else (None, None, 3)
    rows, cols = input_shape[1:3] if first else input_shape[:2]
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError("Input size must be at least 32x32; Received "
                         f"`input_shape={input_shape}`")
    return input_shape, rows, cols


def _check_tensor_shape(input_shape, input_tensor, first: bool) -> None:
    if first and input_tensor.shape[1] != input_shape[1]:
        raise ValueError("When backend.image_data_format()=channels_first, input_shape[1] must "
                         f"equal input_tensor.shape[1].  Received input_shape={input_shape}, "
                         f"input_tensor.shape={input_tensor.shape}")
    if not first and input_tensor.shape[2] != input_shape[1]:
        raise ValueError("input_shape[1] must equal input_tensor.shape[2].  Received "
                         f"input_shape={input_shape}, input_tensor.shape={input_tensor.shape}")


def _check_imagenet(alpha: float, minimalistic: bool, rows, cols) -> None:
    if (not minimalistic and alpha not in (0.75, 1.0)) or (minimalistic and alpha != 1.0):
        raise ValueError("If imagenet weights are being loaded, alpha can be one of `0.75`, "
                         "`1.0` for non minimalistic or `1.0` for minimalistic only.")
    if rows != cols or rows != 224:
        warnings.warn("`input_shape` is undefined or non-square, or `rows` is not 224. "
                      "Weights for input shape (224, 224) will be loaded as the default.",
                      stacklevel=4)


def _mobilenet_v3(blocks, last_point_ch: int, model_type: str, *, input_shape, alpha,
                  minimalistic, include_top, weights, input_tensor, classes, pooling,
                  dropout_rate, classifier_activation, include_preprocessing, name):
    app.check_arguments(weights, include_top, classes, classifier_activation, MESSAGES)
    input_shape, rows, cols = _input_shape(input_shape, input_tensor)
    if weights == "imagenet":
        _check_imagenet(alpha, minimalistic, rows, cols)
    img_input = app.image_input(input_tensor, input_shape)
    act = "relu" if minimalistic else "hard_swish"
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="conv")(x)
    x = _activation(_batch_norm("conv_bn")(x), act)
    x = _stack(x, blocks, alpha, minimalistic)
    x = layers.Conv2D(make_divisible(x.shape[app.channel_axis()] * 6, 8), kernel_size=1,
                      padding="same", use_bias=False, name="conv_1")(x)
    x = _activation(_batch_norm("conv_1_bn")(x), act)
    if include_top:
        if alpha > 1.0:
            last_point_ch = make_divisible(last_point_ch * alpha, 8)
        x = _top(x, last_point_ch, act, dropout_rate, classes, classifier_activation)
    else:
        x = app.pool(x, pooling)
    model = app.functional(img_input, input_tensor, x, name)
    weights_name = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
    file_name = f"weights_mobilenet_v3_{weights_name}{'' if include_top else '_no_top_v2'}.h5"
    file_hash = WEIGHTS_HASHES.get(weights_name, (None, None))[0 if include_top else 1]
    app.load_weights(model, weights, file_name, BASE_WEIGHT_PATH, file_hash)
    return model


def _variant(function_name: str, blocks, last_point_ch: int):
    """The public constructor of one MobileNetV3 size, with Keras's signature."""
    model_type = function_name[len("MobileNetV3"):].lower()

    def build(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
              weights="imagenet", input_tensor=None, classes=1000, pooling=None,
              dropout_rate=0.2, classifier_activation="softmax", include_preprocessing=True,
              name=function_name):
        return _mobilenet_v3(
            blocks, last_point_ch, model_type, input_shape=input_shape, alpha=alpha,
            minimalistic=minimalistic, include_top=include_top, weights=weights,
            input_tensor=input_tensor, classes=classes, pooling=pooling,
            dropout_rate=dropout_rate, classifier_activation=classifier_activation,
            include_preprocessing=include_preprocessing, name=name)

    build.__name__ = build.__qualname__ = function_name
    build.__doc__ = _DOC.format(name=function_name)
    return build


MobileNetV3Small = _variant("MobileNetV3Small", _SMALL, 1024)
MobileNetV3Large = _variant("MobileNetV3Large", _LARGE, 1280)


preprocess_input = app.preprocessor(None)


__all__ = ["MobileNetV3Large", "MobileNetV3Small", "decode_predictions", "preprocess_input"]
