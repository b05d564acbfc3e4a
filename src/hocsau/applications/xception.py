"""Xception (Chollet, "Xception: Deep Learning with Depthwise Separable Convolutions", CVPR
2017), layer for layer as `keras.applications.xception`, so Keras's ImageNet weight files load
into it."""

from __future__ import annotations

from hocsau import layers
from hocsau.applications import _application as app
from hocsau.applications.imagenet_utils import decode_predictions

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"

FAMILY = app.Family(
    default_size=299, min_size=71, base_url=BASE_WEIGHTS_PATH,
    files=app.tf_kernels_files("xception", ("0a58e3b7378bc2990ea3b43d5981f1f6",
                                            "b0042744bf5b25fce3cb969f33bebb97")),
    messages=(app.weights_message("'"), "If using `weights='imagenet'` with `include_top=True`, "
              "`classes` should be 1000.  Received classes={classes}"))
WEIGHTS_PATH, WEIGHTS_PATH_NO_TOP = (BASE_WEIGHTS_PATH + name for name, _ in FAMILY.files)


def _batch_norm(x, name: str | None = None):
    return layers.BatchNormalization(axis=app.channel_axis(), name=name)(x)


def _relu(x, name: str):
    return layers.Activation("relu", name=name)(x)


def _separable(x, filters: int, name: str):
    """3x3 separable convolution "<name>" (no bias), then batch normalization "<name>_bn"."""
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return _batch_norm(x, f"{name}_bn")


def _entry_block(x, filters: tuple, block: int, relu_first: bool = True):
    """Two separable convolutions and a strided max pooling, added to a strided 1x1
    projection of the input (auto-named, as in Keras)."""
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same",
                             use_bias=False)(x)
    residual = _batch_norm(residual)
    prefix = f"block{block}"
    if relu_first:
        x = _relu(x, f"{prefix}_sepconv1_act")
    x = _separable(x, filters[0], f"{prefix}_sepconv1")
    x = _relu(x, f"{prefix}_sepconv2_act")
    x = _separable(x, filters[1], f"{prefix}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"{prefix}_pool")(x)
    return layers.add([x, residual])


def _middle_block(x, block: int):
    """Three ReLU-separable convolutions of 728 channels around an identity shortcut."""
    residual = x
    for conv in (1, 2, 3):
        x = _relu(x, f"block{block}_sepconv{conv}_act")
        x = _separable(x, 728, f"block{block}_sepconv{conv}")
    return layers.add([x, residual])


def _backbone(img_input):
    """Entry flow (blocks 1-4), middle flow (blocks 5-12), exit flow (blocks 13-14)."""
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(
        img_input)
    x = _relu(_batch_norm(x, "block1_conv1_bn"), "block1_conv1_act")
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = _relu(_batch_norm(x, "block1_conv2_bn"), "block1_conv2_act")
    x = _entry_block(x, (128, 128), 2, relu_first=False)
    x = _entry_block(x, (256, 256), 3)
    x = _entry_block(x, (728, 728), 4)
    for block in range(5, 13):
        x = _middle_block(x, block)
    x = _entry_block(x, (728, 1024), 13)
    x = _relu(_separable(x, 1536, "block14_sepconv1"), "block14_sepconv1_act")
    return _relu(_separable(x, 2048, "block14_sepconv2"), "block14_sepconv2_act")


Xception = app.constructor("Xception", FAMILY, _backbone, "xception", {
    "paper": "Xception: Deep Learning with Depthwise Separable Convolutions, CVPR 2017",
    "module": "xception", "preprocessing": "pixels scaled to [-1, 1]"})


preprocess_input = app.preprocessor("tf")


__all__ = ["Xception", "decode_predictions", "preprocess_input"]
