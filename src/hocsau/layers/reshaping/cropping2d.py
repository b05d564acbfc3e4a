"""`Cropping2D`: removes entries before and after each of the 2 spatial axes."""

from __future__ import annotations

from hocsau.layers.reshaping._base_cropping import BaseCropping
from hocsau.layers.reshaping._spatial import standardize_pairs
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Cropping2D(BaseCropping):
    """Crops the spatial axes of channels-last (batch, height, width, channels) inputs.

    The result is a view of the input (no copy).

    Args:
        cropping: int (every side), 2 ints (height, width) (both sides of each axis), or 2 pairs
            ((top, bottom), (left, right)).
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        self.cropping = standardize_pairs(cropping, 2, "cropping")
        super().__init__(self.cropping, 2, data_format, **kwargs)
