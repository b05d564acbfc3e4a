"""`ZeroPadding2D`: zeros before and after each of the 2 spatial axes."""

from __future__ import annotations

from hocsau.layers.reshaping._base_zero_padding import BaseZeroPadding
from hocsau.layers.reshaping._spatial import standardize_pairs
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class ZeroPadding2D(BaseZeroPadding):
    """Pads the spatial axes of channels-last (batch, height, width, channels) inputs with zeros.

    Args:
        padding: int (every side), 2 ints (height, width) (both sides of each axis), or 2 pairs
            ((top, bottom), (left, right)).
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        self.padding = standardize_pairs(padding, 2, "padding")
        super().__init__(self.padding, 2, data_format, **kwargs)
