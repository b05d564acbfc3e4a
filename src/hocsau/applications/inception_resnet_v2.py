"""InceptionResNetV2 (Szegedy et al., "Inception-v4, Inception-ResNet and the Impact of Residual
Connections on Learning", AAAI 2017), layer for layer as
`keras.applications.inception_resnet_v2`, so Keras's ImageNet weight files load into it."""

from __future__ import annotations

from hocsau import layers
from hocsau.applications import _application as app
from hocsau.applications import _inception
from hocsau.applications._inception import STEM, branch, mixed
from hocsau.applications.imagenet_utils import decode_predictions
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class

BASE_WEIGHT_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
)

# How Keras's InceptionV3, InceptionResNetV2 and ConvNeXt word the `classes` error, and the
# last two the `weights` one.
CLASSES_MESSAGE = ('If using `weights="imagenet"` with `include_top=True`, `classes` should '
                   "be 1000. Received classes={classes}")
MESSAGES = (app.weights_message(), CLASSES_MESSAGE)

FAMILY = app.Family(
    default_size=299, min_size=75, base_url=BASE_WEIGHT_URL, messages=MESSAGES,
    files=app.tf_kernels_files("inception_resnet_v2", ("e693bd0210a403b3192acc6073ad2e96",
                                                       "d19885ff4a710c122648d3b5c3b684e4")))

# The residual branches of each block type, and their convolutions' output channels.
_BLOCK_BRANCHES = {
    "block35": ([(32, 1)], [(32, 1), (32, 3)], [(32, 1), (48, 3), (64, 3)]),
    "block17": ([(192, 1)], [(128, 1), (160, (1, 7)), (192, (7, 1))]),
    "block8": ([(192, 1)], [(192, 1), (224, (1, 3)), (256, (3, 1))]),
}

_MIXED_5B = ([(96, 1)], [(48, 1), (64, 5)], [(64, 1), (96, 3), (96, 3)], ["avg", (64, 1)])
_MIXED_6A = ([(384, 3, 2, "valid")], [(256, 1), (256, 3), (384, 3, 2, "valid")], ["max"])
_MIXED_7A = ([(256, 1), (384, 3, 2, "valid")], [(256, 1), (288, 3, 2, "valid")],
             [(256, 1), (288, 3), (320, 3, 2, "valid")], ["max"])


@keras_class("keras.src.applications.inception_resnet_v2")
class CustomScaleLayer(Layer):
    """`inputs[0] + inputs[1] * scale`: a residual branch added at a fixed scale."""

    def __init__(self, scale: float, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale}


def conv2d_bn(x, filters: int, kernel_size, strides=1, padding: str = "same",
              activation="relu", use_bias: bool = False, name: str | None = None):
    """Keras's InceptionResNetV2 unit: convolution "<name>", batch normalization
    "<name>_bn" (no scale; none with a bias), activation "<name>_ac" (none when None)."""
    names = (None, None, None) if name is None else (name, f"{name}_bn", f"{name}_ac")
    return _inception.conv_bn(x, filters, kernel_size, strides, padding, activation=activation,
                              use_bias=use_bias, names=names)


def inception_resnet_block(x, scale: float, block_type: str, block_idx: int,
                           activation="relu"):
    """An Inception-ResNet block "<block_type>_<block_idx>": its branches concatenated, a
    1x1 convolution back to the input's channels, added to the input at `scale`.

    Raises:
        ValueError: `block_type` is not "block35", "block17" or "block8".
    """
    if block_type not in _BLOCK_BRANCHES:
        raise ValueError('Unknown Inception-ResNet block type. Expects "block35", "block17" or '
                         f'"block8", but got: {block_type}')
    block_name = f"{block_type}_{block_idx}"
    up = mixed(x, _BLOCK_BRANCHES[block_type], f"{block_name}_mixed")
    up = conv2d_bn(up, x.shape[app.channel_axis()], 1, activation=None, use_bias=True,
                   name=f"{block_name}_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{block_name}_ac")(x)
    return x


def _repeat(x, block_type: str, count: int, scale: float):
    for block_idx in range(1, count + 1):
        x = inception_resnet_block(x, scale, block_type, block_idx)
    return x


def _backbone(img_input):
    """Stem, mixed_5b, 10 x block35, mixed_6a, 20 x block17, mixed_7a, 10 x block8 (the
    last one linear), conv_7b."""
    x = mixed(branch(img_input, STEM), _MIXED_5B, "mixed_5b")
    x = mixed(_repeat(x, "block35", 10, 0.17), _MIXED_6A, "mixed_6a")
    x = mixed(_repeat(x, "block17", 20, 0.1), _MIXED_7A, "mixed_7a")
    x = _repeat(x, "block8", 9, 0.2)
    x = inception_resnet_block(x, 1.0, "block8", 10, activation=None)
    return conv2d_bn(x, 1536, 1, name="conv_7b")


InceptionResNetV2 = app.constructor(
    "InceptionResNetV2", FAMILY, _backbone, "inception_resnet_v2", {
        "paper": "Inception-v4, Inception-ResNet and the Impact of Residual Connections on "
                 "Learning, AAAI 2017",
        "module": "inception_resnet_v2", "preprocessing": "pixels scaled to [-1, 1]"})


preprocess_input = app.preprocessor("tf")


__all__ = ["CustomScaleLayer", "InceptionResNetV2", "conv2d_bn", "decode_predictions",
           "inception_resnet_block", "preprocess_input"]
