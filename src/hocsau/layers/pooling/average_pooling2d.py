"""`AveragePooling2D`: the mean of each window over the height and width."""

from __future__ import annotations

from hocsau.layers.pooling._base_pooling import BasePooling
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class AveragePooling2D(BasePooling):
    """2D average pooling (Keras alias `AvgPool2D`).

    Channels-last inputs are (batch, height, width, channels).

    With "same" padding, padded positions are left out of each mean (as in Keras).

    Args:
        pool_size: int or tuple of 2 ints, the window size.
        strides: int or tuple of 2 ints; None means `pool_size`.
        padding: "valid" or "same" (output size ceil(input size / strides)).
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, rank=2, mode="average",
                         name=name, **kwargs)
