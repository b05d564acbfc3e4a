"""`SeparableConv1D`: a depthwise 1-D convolution followed by a pointwise one."""

from __future__ import annotations

from hocsau.layers.convolutional._base_separable_conv import BaseSeparableConv
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class SeparableConv1D(BaseSeparableConv):
    """`SeparableConv1D(filters, kernel_size, strides, padding, data_format, dilation_rate,
    depth_multiplier, ...)`; weights depthwise_kernel, pointwise_kernel, bias."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         depth_multiplier=depth_multiplier, **kwargs)
