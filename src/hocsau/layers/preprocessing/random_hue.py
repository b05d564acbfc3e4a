"""`RandomHue`: rotates the hue of each image by a random amount while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._augmentation_layer import (
    AugmentationLayer,
    check_value_range,
    rescale,
)
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.ops import image
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomHue(AugmentationLayer):
    """Shifts the hue (in HSV, on a [0, 1] circle) of each image by `±f / 2`, `f` drawn per
    image from the factor range and the sign by a coin flip; identity unless `training=True`.

    Args:
        factor: a number `f` in [0, 1] (meaning `(0, f)`) or a pair; 1 may turn a hue into
            its opposite.
        value_range: the `(min, max)` of the pixel values.
        data_format: 'channels_last' (default from config) or 'channels_first'.
        seed: an integer for reproducible draws.

    The transformation is `{"factor": (batch,)}`, the signed hue shifts.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "factor", (0, 1))
        check_value_range(value_range)
        self.value_range = value_range

    def get_random_transformation(self, images, training=True, seed=None):
        seed = self.generator if seed is None else seed
        coin = self._draw((images.shape[0],), 0.0, 1.0, images, seed)
        shift = self._draw((images.shape[0],), *self.factor, images, seed)
        return {"factor": torch.where(coin > 0.5, -1.0, 1.0) * shift * 0.5}

    def _transform(self, images, transformation):
        images = rescale(images, self.value_range, (0, 1))
        hsv = image.rgb_to_hsv(images, data_format=self.data_format)
        hue, saturation, value = hsv.unbind(self._channel_axis)
        hue = hue + transformation["factor"].to(images).reshape(-1, 1, 1)
        hue = torch.where(hue > 1.0, hue - 1.0, hue)
        hue = torch.where(hue < 0.0, hue + 1.0, hue)
        hsv = torch.stack([hue, saturation, value], self._channel_axis)
        rgb = image.hsv_to_rgb(hsv, data_format=self.data_format).clamp(0, 1)
        return rescale(rgb, (0, 1), self.value_range)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
