"""Shared base of the geometric augmentations (rotation, zoom, translation): each draws one
affine transform per image and warps with `hocsau.ops.image.affine_transform`."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._image_layer import RandomImageLayer, check_choice
from hocsau.ops import image

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


class AffineLayer(RandomImageLayer):
    """Warps images by `_transforms(batch_size, height, width, like)` when `training=True`.

    Args:
        fill_mode: how points outside the image are filled: 'reflect' (about the edge,
            d c b a | a b c d | d c b a), 'wrap', 'constant' (`fill_value`) or 'nearest'.
        interpolation: 'bilinear' or 'nearest'.
        fill_value: the value outside the image with 'constant'.
    """

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        check_choice("fill_mode", fill_mode, FILL_MODES)
        check_choice("interpolation", interpolation, INTERPOLATIONS)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value

    def call(self, inputs, training=True):
        inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        if not training:
            return inputs
        height_axis, width_axis = self._spatial_axes
        batch_size = inputs.shape[0] if inputs.ndim == 4 else 1
        transforms = self._transforms(batch_size, inputs.shape[height_axis],
                                      inputs.shape[width_axis], inputs)
        return image.affine_transform(inputs, transforms, self.interpolation, self.fill_mode,
                                      self.fill_value, self.data_format)

    def _draw(self, batch_size: int, bounds: tuple[float, float], like) -> torch.Tensor:
        """One float32 draw per image, shape `(batch_size, 1)`."""
        return self._uniform((batch_size, 1), bounds[0], bounds[1], like).float()

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"fill_mode": self.fill_mode, "interpolation": self.interpolation,
                       "fill_value": self.fill_value})
        return config


def affine_rows(a0, a1, a2, b0, b1, b2) -> torch.Tensor:
    """`(batch, 8)` transforms from `(batch, 1)` columns (no projective part)."""
    zeros = torch.zeros_like(a0)
    return torch.cat([a0, a1, a2, b0, b1, b2, zeros, zeros], dim=1)
