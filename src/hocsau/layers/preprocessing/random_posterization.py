"""`RandomPosterization`: keeps only the top bits of each 8-bit color value."""

from __future__ import annotations

import torch

from hocsau import random
from hocsau.layers.preprocessing._augmentation_layer import (
    AugmentationLayer,
    check_value_range,
    rescale,
)
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomPosterization(AugmentationLayer):
    """Maps pixels to [0, 255], truncates them to uint8 and clears the low `8 - b` bits, with
    the bit count `b` drawn per image from `[lower, upper)` of the factor range (or `lower`
    when the range is one value); identity unless `training=True`.

    Args:
        factor: an integer `f` in [1, 8] (meaning `(1, f)`) or a pair.
        value_range: the `(min, max)` of the pixel values.
        data_format: 'channels_last' (default from config) or 'channels_first'.
        seed: an integer for reproducible draws.

    The transformation is `{"shift_factor": (batch,) uint8}`, the bits cleared per image.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "factor", (1, 8))
        self.value_range = check_value_range(value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        low, high = self.factor
        if low != high:
            bits = random.randint((images.shape[0],), low, high, dtype="uint8",
                                  seed=self.generator if seed is None else seed)
        else:
            bits = torch.full((images.shape[0],), int(low), dtype=torch.uint8)
        return {"shift_factor": 8 - bits.to(images.device)}

    def _transform(self, images, transformation):
        shift = transformation["shift_factor"].to(images.device, torch.uint8).reshape(-1, 1, 1, 1)
        pixels = rescale(images, self.value_range, (0, 255)).to(torch.uint8)
        pixels = (pixels >> shift) << shift
        return rescale(pixels.to(images.dtype), (0, 255), self.value_range)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
