"""`Conv1DTranspose`: the 1-D transposed convolution, upsampling by its strides."""

from __future__ import annotations

from hocsau.layers.convolutional._base_conv_transpose import BaseConvTranspose
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Conv1DTranspose(BaseConvTranspose):
    """`Conv1DTranspose(filters, kernel_size, strides, padding, output_padding, ...)`; the
    kernel has shape `(*kernel_size, filters, channels)`, as Keras stores it."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)
