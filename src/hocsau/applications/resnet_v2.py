"""ResNet50V2, ResNet101V2 and ResNet152V2 (`keras.applications.resnet_v2`, He et al., ECCV
2016): the pre-activation models, their blocks, preprocessing and class decoding."""

from __future__ import annotations

from hocsau import layers
from hocsau.applications import imagenet_utils
from hocsau.applications._resnet import batch_norm, variant
from hocsau.applications.imagenet_utils import decode_predictions


def residual_block_v2(x, filters: int, kernel_size: int = 3, stride: int = 1,
                      conv_shortcut: bool = False, name: str | None = None):
    """The pre-activation bottleneck: BN-ReLU, then 1x1, kxk (strided), 1x1 to
    `4 * filters` channels, added to the shortcut (a 1x1 projection of the pre-activation,
    a strided 1x1 max pooling, or the identity)."""
    preact = batch_norm(f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = batch_norm(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False,
                      name=f"{name}_2_conv")(x)
    x = batch_norm(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_residual_blocks_v2(x, filters: int, blocks: int, stride1: int = 2,
                             name: str | None = None):
    """`blocks` bottlenecks named `{name}_block1...`: the first projects, the last strides."""
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


_STRIDES = (2, 2, 2, 1)

ResNet50V2 = variant("ResNet50V2", stack_residual_blocks_v2, (3, 4, 6, 3), _STRIDES,
                     preact=True)
ResNet101V2 = variant("ResNet101V2", stack_residual_blocks_v2, (3, 4, 23, 3), _STRIDES,
                      preact=True)
ResNet152V2 = variant("ResNet152V2", stack_residual_blocks_v2, (3, 8, 36, 3), _STRIDES,
                      preact=True)


def preprocess_input(x, data_format=None):
    """Pixels in [0, 255] scaled to [-1, 1]; see
    `hocsau.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")



__all__ = ["ResNet50V2", "ResNet101V2", "ResNet152V2", "decode_predictions",
           "preprocess_input"]
