"""`ZeroPadding3D`: zeros before and after each of the 3 spatial axes."""

from __future__ import annotations

from hocsau.layers.reshaping._base_zero_padding import BaseZeroPadding
from hocsau.layers.reshaping._spatial import standardize_pairs
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class ZeroPadding3D(BaseZeroPadding):
    """Pads the spatial axes of channels-last (batch, dim1, dim2, dim3, channels) inputs with zeros.

    Args:
        padding: int (every side), 3 ints (dim1, dim2, dim3) (both sides of each axis), or 3 pairs
            ((before, after),) * 3.
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
    """

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        self.padding = standardize_pairs(padding, 3, "padding")
        super().__init__(self.padding, 3, data_format, **kwargs)
