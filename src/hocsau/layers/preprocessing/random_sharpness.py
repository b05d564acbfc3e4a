"""`RandomSharpness`: sharpens or blurs each image by a random amount."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer, check_value_range
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomSharpness(AugmentationLayer):
    """Blends each image with a 3x3 smoothing of itself (PIL's SMOOTH kernel, zero padded):
    `x + (1 - 2f) * (smooth(x) - x)`, clipped to `value_range`, with `f` drawn per image;
    `f = 0.5` keeps the image, smaller blurs and larger sharpens. Identity unless
    `training=True`.

    Args:
        factor: a number `f` in [0, 1] (meaning `(0, f)`) or a pair.
        value_range: the `(min, max)` of the pixel values.
        data_format: 'channels_last' (default from config) or 'channels_first'.
        seed: an integer for reproducible draws.

    The transformation is `{"factor": (batch,)}`.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "factor", (0, 1))
        self.value_range = check_value_range(value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        return {"factor": self._draw((images.shape[0],), *self.factor, images, seed)}

    def _transform(self, images, transformation):
        sharpness = (transformation["factor"] * 2).to(images).reshape(-1, 1, 1, 1)
        nchw = images.movedim(-1, 1) if self.data_format == "channels_last" else images
        channels = nchw.shape[1]
        kernel = torch.full((3, 3), 1.0 / 13.0, dtype=images.dtype, device=images.device)
        kernel[1, 1] = 5.0 / 13.0
        smooth = F.conv2d(nchw, kernel.expand(channels, 1, 3, 3), padding=1, groups=channels)
        if self.data_format == "channels_last":
            smooth = smooth.movedim(1, -1)
        return (images + (1.0 - sharpness) * (smooth - images)).clamp(*self.value_range)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
