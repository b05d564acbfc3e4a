"""`RandomSaturation`: scales the saturation of each image by a random amount."""

from __future__ import annotations

import torch

from hocsau import config as hocsau_config
from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer, check_value_range
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.ops import image
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomSaturation(AugmentationLayer):
    """Multiplies the HSV saturation of each image by `f / (1 - f)`, `f` drawn per image from
    the factor range (0.5 keeps the image, 0 makes it gray, 1 saturates it fully), clipped to
    `value_range`; identity unless `training=True`.

    As in Keras, a single number `f` means the range `(-f, f)` (the negative half gives gray
    images), and the HSV conversion runs on the raw pixel values.

    Args:
        factor: a number in [-1, 1] or a pair `(lower, upper)`.
        value_range: the `(min, max)` of the pixel values.
        data_format: 'channels_last' (default from config) or 'channels_first'.
        seed: an integer for reproducible draws.

    The transformation is `{"factor": (batch,)}`, the saturation multipliers.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "factor")
        self.value_range = check_value_range(value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        factor = self._draw((images.shape[0],), *self.factor, images, seed)
        return {"factor": factor / (1 - factor + hocsau_config.epsilon())}

    def _transform(self, images, transformation):
        hsv = image.rgb_to_hsv(images, data_format=self.data_format)
        hue, saturation, value = hsv.unbind(self._channel_axis)
        saturation = saturation * transformation["factor"].to(images).reshape(-1, 1, 1)
        saturation = saturation.clamp(*self.value_range)
        hsv = torch.stack([hue, saturation, value], self._channel_axis)
        return image.hsv_to_rgb(hsv, data_format=self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
