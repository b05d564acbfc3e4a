"""`RandomTranslation`: shifts images by random fractions of their size while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._affine_layer import AffineLayer, affine_rows
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomTranslation(AffineLayer):
    """Translates each image by `(dy * height, dx * width)` pixels, with `dy` and `dx` drawn
    per image from the factor ranges; identity unless `training=True`.

    Args:
        height_factor / width_factor: a number `f` in [-1, 1] (meaning `(-|f|, |f|)`) or a
            pair `(lower, upper)`; positive values move the content down / right.
        fill_mode, interpolation, seed, fill_value, data_format: see `AffineLayer`.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height_range = factor_range(height_factor, "height_factor", pair_inside=True)
        self._width_range = factor_range(width_factor, "width_factor", pair_inside=True)

    def _transforms(self, batch_size, height, width, like) -> torch.Tensor:
        dy = self._draw(batch_size, self._height_range, like) * height
        dx = self._draw(batch_size, self._width_range, like) * width
        ones, zeros = torch.ones_like(dx), torch.zeros_like(dx)
        return affine_rows(ones, zeros, -dx, zeros, ones, -dy)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config
