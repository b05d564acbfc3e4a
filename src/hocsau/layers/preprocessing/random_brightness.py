"""`RandomBrightness`: adds a random offset to each image while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._image_layer import RandomImageLayer, factor_range
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomBrightness(RandomImageLayer):
    """Adds `delta * (max - min)` of `value_range` to every pixel of an image, with `delta`
    drawn per image from the factor range, then clips to `value_range`; identity unless
    `training=True`.

    Args:
        factor: a number `f` in [-1, 1] (meaning `(-|f|, |f|)`) or a pair `(lower, upper)`.
        value_range: the `(min, max)` of the pixel values (sorted).
        seed: an integer for reproducible draws.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor_range(factor, "factor", (-1, 1))
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError("The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range}")
        self.value_range = sorted(value_range)

    def call(self, inputs, training=True):
        inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        if not training:
            return inputs
        low, high = self.value_range
        delta = self._per_image(inputs, *self.factor) * (high - low)
        return torch.clamp(inputs + delta.to(inputs.dtype), low, high)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
