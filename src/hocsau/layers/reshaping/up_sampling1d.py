"""`UpSampling1D`: every step repeated `size` times."""

from __future__ import annotations

from hocsau.layers.reshaping._base_up_sampling import BaseUpSampling
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class UpSampling1D(BaseUpSampling):
    """Repeats each step of (batch, steps, features) inputs `size` times.

    Args:
        size: positive int, the repetition factor.
    """

    def __init__(self, size=2, **kwargs):
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: size={size}")
        self.size = size
        super().__init__((size,), 1, "channels_last", **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["size"] = self.size
        return config
