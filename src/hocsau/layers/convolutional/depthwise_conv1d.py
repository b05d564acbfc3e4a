"""`DepthwiseConv1D`: a 1-D convolution of each input channel on its own."""

from __future__ import annotations

from hocsau.layers.convolutional._base_depthwise_conv import BaseDepthwiseConv
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class DepthwiseConv1D(BaseDepthwiseConv):
    """`DepthwiseConv1D(kernel_size, strides, padding, depth_multiplier, ...)`; the kernel
    (named `kernel`) has shape `(*kernel_size, channels, depth_multiplier)`."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, **kwargs):
        super().__init__(1, depth_multiplier, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)
