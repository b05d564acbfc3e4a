"""`AveragePooling1D`: the mean of each window over the steps."""

from __future__ import annotations

from hocsau.layers.pooling._base_pooling import BasePooling
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class AveragePooling1D(BasePooling):
    """1D average pooling (Keras alias `AvgPool1D`).

    Channels-last inputs are (batch, steps, features).

    With "same" padding, padded positions are left out of each mean (as in Keras).

    Args:
        pool_size: int or tuple of 1 int, the window size.
        strides: int or tuple of 1 int; None means `pool_size`.
        padding: "valid" or "same" (output size ceil(input size / strides)).
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, rank=1, mode="average",
                         name=name, **kwargs)
