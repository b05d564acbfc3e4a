"""`UpSampling2D`: images enlarged by integer factors (nearest, bilinear or bicubic)."""

from __future__ import annotations

import torch.nn.functional as F

from hocsau.layers.reshaping._base_up_sampling import BaseUpSampling
from hocsau.saving.serialization import keras_class
from hocsau.utils.argument_validation import standardize_tuple

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic")


@keras_class("keras.layers")
class UpSampling2D(BaseUpSampling):
    """Enlarges channels-last (batch, height, width, channels) images by `size`.

    "nearest" repeats rows and columns; "bilinear" and "bicubic" resize with half-pixel
    centres (`align_corners=False`) as Keras does, through a channels_last view of the input.

    Args:
        size: int or tuple of 2 ints, the factors of (height, width).
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
        interpolation: "nearest", "bilinear" or "bicubic".
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        self.size = standardize_tuple(size, 2, "size")
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in _INTERPOLATIONS:
            raise ValueError(f"The `interpolation` argument must be one of {_INTERPOLATIONS}. "
                             f"Received: interpolation={interpolation}")
        super().__init__(self.size, 2, data_format, **kwargs)

    def _up_sample(self, inputs):
        if self.interpolation == "nearest":
            return super()._up_sample(inputs)
        channels_last = self.data_format == "channels_last"
        x = inputs.permute(0, 3, 1, 2) if channels_last else inputs
        size = (x.shape[2] * self.size[0], x.shape[3] * self.size[1])
        x = F.interpolate(x, size=size, mode=self.interpolation, align_corners=False)
        return x.permute(0, 2, 3, 1) if channels_last else x

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format,
                       "interpolation": self.interpolation})
        return config
