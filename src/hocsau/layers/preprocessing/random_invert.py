"""`RandomInvert`: inverts a random share of the images while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer, check_value_range
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomInvert(AugmentationLayer):
    """Replaces an image `x` by `max - x` (`max` of `value_range`) when a uniform draw falls
    below a probability itself drawn from the factor range; identity unless `training=True`.

    Args:
        factor: a number `f` in [0, 1] (meaning probabilities in `(0, f)`) or a pair; the
            default 1.0 inverts about half of the images.
        value_range: the `(min, max)` of the pixel values.
        seed: an integer for reproducible draws.
        data_format: 'channels_last' (default from config) or 'channels_first'.

    The transformation is `{"apply_inversion": (batch,) bool}`.
    """

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "factor", (0, 1))
        check_value_range(value_range)
        self.value_range = value_range

    def get_random_transformation(self, images, training=True, seed=None):
        seed = self.generator if seed is None else seed
        probability = self._draw((images.shape[0],), *self.factor, images, seed)
        threshold = self._draw((images.shape[0],), 0.0, 1.0, images, seed)
        return {"apply_inversion": threshold < probability}

    def _transform(self, images, transformation):
        apply = transformation["apply_inversion"].to(images.device).reshape(-1, 1, 1, 1)
        return torch.where(apply, self.value_range[1] - images, images)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
