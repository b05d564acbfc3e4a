"""`MaxPooling3D`: the maximum of each window over the three spatial axes."""

from __future__ import annotations

from hocsau.layers.pooling._base_pooling import BasePooling
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class MaxPooling3D(BasePooling):
    """3D max pooling (Keras alias `MaxPool3D`).

    Channels-last inputs are (batch, dim1, dim2, dim3, channels).

    Args:
        pool_size: int or tuple of 3 ints, the window size.
        strides: int or tuple of 3 ints; None means `pool_size`.
        padding: "valid" or "same" (output size ceil(input size / strides)).
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, rank=3, mode="max",
                         name=name, **kwargs)
