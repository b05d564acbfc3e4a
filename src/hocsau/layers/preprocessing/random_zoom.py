"""`RandomZoom`: zooms images in or out by random factors while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._affine_layer import AffineLayer, affine_rows
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomZoom(AffineLayer):
    """Scales each image about its center: the sampling grid is stretched by `1 + z`, with
    `z` drawn per image, so positive factors zoom out and negative ones zoom in; identity
    unless `training=True`.

    Args:
        height_factor: a number `f` in [-1, 1] (meaning `(-|f|, |f|)`) or a pair.
        width_factor: the same for the width; None zooms the width like the height
            (aspect ratio kept).
        fill_mode, interpolation, seed, fill_value, data_format: see `AffineLayer`.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height_range = factor_range(height_factor, "height_factor", pair_inside=True)
        self._width_range = None if width_factor is None else factor_range(
            width_factor, "width_factor", pair_inside=True)

    def _transforms(self, batch_size, height, width, like) -> torch.Tensor:
        low, high = self._height_range
        zoom_y = self._draw(batch_size, (1.0 + low, 1.0 + high), like)
        if self._width_range is None:
            zoom_x = zoom_y
        else:
            low, high = self._width_range
            zoom_x = self._draw(batch_size, (1.0 + low, 1.0 + high), like)
        zeros = torch.zeros_like(zoom_x)
        return affine_rows(zoom_x, zeros, (width - 1.0) / 2.0 * (1.0 - zoom_x), zeros, zoom_y,
                           (height - 1.0) / 2.0 * (1.0 - zoom_y))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config
