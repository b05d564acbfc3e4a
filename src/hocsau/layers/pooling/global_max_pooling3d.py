"""`GlobalMaxPooling3D`: the maximum over the spatial axes of each channel."""

from __future__ import annotations

from hocsau.layers.pooling._base_global_pooling import BaseGlobalPooling
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class GlobalMaxPooling3D(BaseGlobalPooling):
    """Global max pooling of 3D data (Keras alias `GlobalMaxPool3D`).

    Channels-last inputs are (batch, dim1, dim2, dim3, channels); the output is (batch, channels),
    or keeps the spatial axes with length 1 when `keepdims=True`.

    Args:
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
        keepdims: keep the spatial axes with length 1.
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, rank=3, **kwargs)

    def call(self, inputs):
        return inputs.amax(dim=self._axes, keepdim=self.keepdims)
