"""`ZeroPadding1D`: zeros before and after the steps axis."""

from __future__ import annotations

from hocsau.layers.reshaping._base_zero_padding import BaseZeroPadding
from hocsau.saving.serialization import keras_class
from hocsau.utils.argument_validation import standardize_tuple


@keras_class("keras.layers")
class ZeroPadding1D(BaseZeroPadding):
    """Pads (batch, steps, features) inputs with zeros along the steps.

    Args:
        padding: int (the same before and after) or tuple (before, after).
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        self.padding = standardize_tuple(padding, 2, "padding", allow_zero=True)
        super().__init__((self.padding,), 1, data_format, **kwargs)
