"""`RandomGrayscale`: turns a random share of the images gray while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer
from hocsau.ops import image
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomGrayscale(AugmentationLayer):
    """Replaces each image, with probability `factor`, by its luminance (ITU-R 601-2 weights)
    repeated over the channels; identity unless `training=True`.

    Args:
        factor: the probability, in [0, 1], that an image is made gray.
        data_format: 'channels_last' (default from config) or 'channels_first'.
        seed: an integer for reproducible draws.

    The transformation is a boolean tensor `(batch, 1, 1, 1)`: which images turn gray.
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or \
                not 0 <= factor <= 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        self.factor = factor

    def get_random_transformation(self, images, training=True, seed=None):
        draws = self._draw((images.shape[0],), 0.0, 1.0, images, seed)
        return (draws < self.factor).reshape(-1, 1, 1, 1)

    def _transform(self, images, transformation):
        gray = image.rgb_to_grayscale(images, data_format=self.data_format)
        return torch.where(transformation.to(images.device), gray, images)

    def get_config(self) -> dict:
        config = super().get_config()
        config["factor"] = self.factor
        return config
