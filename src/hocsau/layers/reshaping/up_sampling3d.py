"""`UpSampling3D`: every entry of the three spatial axes repeated (nearest neighbour)."""

from __future__ import annotations

from hocsau.layers.reshaping._base_up_sampling import BaseUpSampling
from hocsau.saving.serialization import keras_class
from hocsau.utils.argument_validation import standardize_tuple


@keras_class("keras.layers")
class UpSampling3D(BaseUpSampling):
    """Repeats the entries of channels-last (batch, dim1, dim2, dim3, channels) inputs.

    Args:
        size: int or tuple of 3 ints, the factors of (dim1, dim2, dim3).
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        self.size = standardize_tuple(size, 3, "size")
        super().__init__(self.size, 3, data_format, **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config
