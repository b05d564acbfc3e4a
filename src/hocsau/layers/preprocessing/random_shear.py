"""`RandomShear`: shears images along x and y by random amounts while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._affine_layer import FILL_MODES, INTERPOLATIONS
from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer
from hocsau.layers.preprocessing._image_layer import check_choice
from hocsau.ops import image
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomShear(AugmentationLayer):
    """Samples each output pixel `(x, y)` at `(x + s_x * y, s_y * x + y)` (a shear about the
    top-left corner, as Keras), with `s_x`, `s_y` drawn per image and one random sign for
    both; identity unless `training=True`.

    Args:
        x_factor: a number `f` in [0, 1] (meaning `(-f, f)`) or a pair inside [-1, 1].
        y_factor: the same for the vertical shear.
        interpolation: 'bilinear' or 'nearest'.
        fill_mode: 'reflect', 'wrap', 'constant' (`fill_value`) or 'nearest'.
        fill_value: the value outside the image with 'constant'.
        data_format: 'channels_last' (default from config) or 'channels_first'.
        seed: an integer for reproducible draws.

    The transformation is `{"shear_factor": (batch, 2)}`, the signed `(s_x, s_y)`.
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear",
                 fill_mode="reflect", fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.x_factor = _shear_range(x_factor, "x_factor")
        self.y_factor = _shear_range(y_factor, "y_factor")
        check_choice("fill_mode", fill_mode, FILL_MODES)
        check_choice("interpolation", interpolation, INTERPOLATIONS)
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value

    def get_random_transformation(self, images, training=True, seed=None):
        seed = self.generator if seed is None else seed
        shape = (images.shape[0], 1)
        sign = torch.where(self._draw(shape, 0.0, 1.0, images, seed) > 0.5, -1.0, 1.0)
        shear_y = self._draw(shape, *self.y_factor, images, seed)
        shear_x = self._draw(shape, *self.x_factor, images, seed)
        return {"shear_factor": torch.cat([shear_x, shear_y], dim=1) * sign}

    def _transform(self, images, transformation):
        shear = transformation["shear_factor"].to(images.device, torch.float32)
        ones, zeros = torch.ones_like(shear[:, 0]), torch.zeros_like(shear[:, 0])
        matrix = torch.stack([ones, shear[:, 0], zeros, shear[:, 1], ones, zeros, zeros, zeros],
                             dim=1)
        return image.affine_transform(images, matrix, self.interpolation, self.fill_mode,
                                      self.fill_value, self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"x_factor": self.x_factor, "y_factor": self.y_factor,
                       "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                       "fill_value": self.fill_value})
        return config


def _shear_range(factor, name: str) -> tuple[float, float]:
    """`(-f, f)` from a number `f` in [0, 1], or a sorted pair in [-1, 1] (Keras allows only
    [0, 1] there, so it cannot reload the ranges it saves; we can)."""
    pair = isinstance(factor, (tuple, list))
    values = list(factor) if pair else [factor]
    if (pair and len(values) != 2) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and
            (-1 if pair else 0) <= v <= 1 for v in values):
        raise ValueError(f"The `{name}` argument should be a number in the range [0, 1.0] (or "
                         f"a list of two numbers in [-1, 1]). Received: {name}={factor}")
    return tuple(sorted(values)) if pair else (-abs(factor), abs(factor))
