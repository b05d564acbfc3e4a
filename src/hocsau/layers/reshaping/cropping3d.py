"""`Cropping3D`: removes entries before and after each of the 3 spatial axes."""

from __future__ import annotations

from hocsau.layers.reshaping._base_cropping import BaseCropping
from hocsau.layers.reshaping._spatial import standardize_pairs
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Cropping3D(BaseCropping):
    """Crops the spatial axes of channels-last (batch, dim1, dim2, dim3, channels) inputs.

    The result is a view of the input (no copy).

    Args:
        cropping: int (every side), 3 ints (dim1, dim2, dim3) (both sides of each axis), or 3 pairs
            ((before, after),) * 3.
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        self.cropping = standardize_pairs(cropping, 3, "cropping")
        super().__init__(self.cropping, 3, data_format, **kwargs)
