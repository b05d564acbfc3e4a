"""`Cropping1D`: removes steps from the start and the end of a sequence."""

from __future__ import annotations

from hocsau.layers.reshaping._base_cropping import BaseCropping
from hocsau.saving.serialization import keras_class
from hocsau.utils.argument_validation import standardize_tuple


@keras_class("keras.layers")
class Cropping1D(BaseCropping):
    """Crops (batch, steps, features) inputs along the steps; the result is a view.

    Args:
        cropping: int (the same at both ends) or tuple (start, end).
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        self.cropping = standardize_tuple(cropping, 2, "cropping", allow_zero=True)
        super().__init__((self.cropping,), 1, "channels_last", **kwargs)
