"""`RandomContrast`: scales each image's deviation from its mean by a random factor."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._image_layer import RandomImageLayer, factor_range
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomContrast(RandomImageLayer):
    """Per image and channel: `(x - mean) * c + mean`, clipped to `value_range`, with `c`
    drawn per image from `[1 - lower, 1 + upper]`; identity unless `training=True`.

    Args:
        factor: a number `f` in [0, 1] (meaning `(0, f)`, Keras's bounds) or a pair
            `(lower, upper)`.
        value_range: the `(min, max)` of the pixel values.
        seed: an integer for reproducible draws.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor_range(factor, "factor", (0, 1))
        self.value_range = value_range

    def call(self, inputs, training=True):
        inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        if not training:
            return inputs
        contrast = self._per_image(inputs, 1.0 - self.factor[0], 1.0 + self.factor[1])
        mean = inputs.mean(dim=self._spatial_axes, keepdim=True)
        outputs = (inputs - mean) * contrast.to(inputs.dtype) + mean
        return torch.clamp(outputs, self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
