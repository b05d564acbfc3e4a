"""ResNet50, ResNet101 and ResNet152 (`keras.applications.resnet`, He et al., CVPR 2015):
the models, their bottleneck blocks, preprocessing and class decoding."""

from __future__ import annotations

from hocsau import layers
from hocsau.applications import imagenet_utils
from hocsau.applications._resnet import BASE_WEIGHTS_PATH, WEIGHTS_HASHES, batch_norm, variant
from hocsau.applications.imagenet_utils import decode_predictions


def residual_block_v1(x, filters: int, kernel_size: int = 3, stride: int = 1,
                      conv_shortcut: bool = True, name: str | None = None):
    """The post-activation bottleneck: 1x1 (strided), kxk, 1x1 to `4 * filters` channels,
    added to the shortcut (a strided 1x1 projection or the identity), then ReLU."""
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = batch_norm(f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = batch_norm(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="same", name=f"{name}_2_conv")(x)
    x = batch_norm(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = batch_norm(f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters: int, blocks: int, stride1: int = 2,
                             name: str | None = None):
    """`blocks` bottlenecks named `{name}_block1...`; the first projects and strides."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


_STRIDES = (1, 2, 2, 2)

ResNet50 = variant("ResNet50", stack_residual_blocks_v1, (3, 4, 6, 3), _STRIDES, preact=False)
ResNet101 = variant("ResNet101", stack_residual_blocks_v1, (3, 4, 23, 3), _STRIDES,
                    preact=False)
ResNet152 = variant("ResNet152", stack_residual_blocks_v1, (3, 8, 36, 3), _STRIDES,
                    preact=False)


def preprocess_input(x, data_format=None):
    """Caffe-style preprocessing of pixels in [0, 255]: RGB to BGR, then ImageNet's channel
    means subtracted; see `hocsau.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")



__all__ = ["BASE_WEIGHTS_PATH", "WEIGHTS_HASHES", "ResNet50", "ResNet101", "ResNet152",
           "decode_predictions", "preprocess_input"]
