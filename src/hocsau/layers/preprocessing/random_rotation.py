"""`RandomRotation`: rotates images by random angles while training."""

from __future__ import annotations

import math

import torch

from hocsau.layers.preprocessing._affine_layer import AffineLayer, affine_rows
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomRotation(AffineLayer):
    """Rotates each image about its center by an angle drawn per image from
    `factor * 360` degrees (positive is counter-clockwise); identity unless `training=True`.

    Args:
        factor: a number `f` in [-1, 1] (meaning `(-|f|, |f|)` of a full turn) or a pair.
        fill_mode, interpolation, seed, fill_value, data_format: see `AffineLayer`.
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor_range(factor, "factor")

    def _transforms(self, batch_size, height, width, like) -> torch.Tensor:
        low, high = self.factor
        angle = self._draw(batch_size, (low * 360.0, high * 360.0), like) * (math.pi / 180.0)
        cos, sin = torch.cos(angle), torch.sin(angle)
        center_x, center_y = 0.5 * (width - 1), 0.5 * (height - 1)
        return affine_rows(cos, -sin, center_x - center_x * cos + center_y * sin,
                           sin, cos, center_y - center_x * sin - center_y * cos)

    def get_config(self) -> dict:
        config = super().get_config()
        config["factor"] = self.factor
        return config
