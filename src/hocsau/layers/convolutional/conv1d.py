"""`Conv1D`: 1-D convolution over (batch, steps, channels) inputs (channels_last by default)."""

from __future__ import annotations

from hocsau.layers.convolutional._base_conv import BaseConv
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Conv1D(BaseConv):
    """`Conv1D(filters, kernel_size)`: kernel of shape `(*kernel_size, channels // groups,
    filters)` as Keras stores it; padding "valid", "same" or "causal" (left padding only,
    for sequences).
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         activation=activation, use_bias=use_bias, **kwargs)
