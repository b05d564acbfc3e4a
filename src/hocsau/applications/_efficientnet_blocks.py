"""The pieces EfficientNet (V1) and EfficientNetV2 blocks are made of, under Keras's layer
names: `<prefix>_conv` / `_bn` / `_activation`, squeeze-and-excitation, and the residual."""

from __future__ import annotations

from hocsau import layers
from hocsau.applications import imagenet_utils
from hocsau.applications._application import CONV_KERNEL_INITIALIZER, channel_axis


def conv_bn(x, filters: int, kernel_size: int, prefix: str, *, strides: int = 1,
            padding: str = "same", activation=None, momentum: float = 0.99):
    """Bias-free convolution, batch normalization and (unless None) activation."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{prefix}_conv")(x)
    x = layers.BatchNormalization(axis=channel_axis(), momentum=momentum, name=f"{prefix}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=f"{prefix}_activation")(x)
    return x


def depthwise_bn(x, kernel_size: int, strides: int, name: str, activation, *,
                 conv_name: str = "dwconv", momentum: float = 0.99, tf_padding: bool = False):
    """Depthwise convolution, batch normalization and activation. With `tf_padding`, a
    strided convolution gets an explicit `<name>dwconv_pad` ZeroPadding2D (EfficientNet V1)."""
    padding = "same"
    if tf_padding and strides == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=f"{name}dwconv_pad")(x)
        padding = "valid"
    x = layers.DepthwiseConv2D(kernel_size, strides=strides, padding=padding, use_bias=False,
                               depthwise_initializer=CONV_KERNEL_INITIALIZER,
                               name=f"{name}{conv_name}")(x)
    x = layers.BatchNormalization(axis=channel_axis(), momentum=momentum, name=f"{name}bn")(x)
    return layers.Activation(activation, name=f"{name}activation")(x)


def squeeze_excite(x, filters: int, filters_in: int, se_ratio: float, name: str, activation):
    """Channel attention: pooled features through a bottleneck of `filters_in * se_ratio`
    channels scale the `filters` channels of `x`. Identity when `se_ratio` is not in (0, 1]."""
    if not 0 < se_ratio <= 1:
        return x
    filters_se = max(1, int(filters_in * se_ratio))
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    shape = (1, 1, filters) if channel_axis() == 3 else (filters, 1, 1)
    se = layers.Reshape(shape, name=f"{name}se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_expand")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def residual(x, inputs, drop_rate: float, name: str):
    """`x + inputs`, with whole samples of `x` dropped at `drop_rate` in training."""
    if drop_rate > 0:
        x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
    return layers.add([x, inputs], name=f"{name}add")
