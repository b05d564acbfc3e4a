"""The augmentations RandAugment and AugMix choose from (`make_augmentations`), and Keras's
two-step API (`get_random_transformation` / `transform_images`) over each of them: both layers
draw every sublayer's transformation from their own seed stream before applying any.

RandomBrightness, RandomContrast, RandomRotation and RandomTranslation transform in one step;
for them the transformation is drawn here, in Keras's order and format (`rgb_delta`,
`contrast_factor`, `angle` in degrees, `translations` in pixels), and applied with the
layer's settings.
"""

from __future__ import annotations

import math

import torch

from hocsau import random
from hocsau.layers.preprocessing._affine_layer import affine_rows
from hocsau.layers.preprocessing.auto_contrast import AutoContrast
from hocsau.layers.preprocessing.equalization import Equalization
from hocsau.layers.preprocessing.random_brightness import RandomBrightness
from hocsau.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from hocsau.layers.preprocessing.random_contrast import RandomContrast
from hocsau.layers.preprocessing.random_posterization import RandomPosterization
from hocsau.layers.preprocessing.random_rotation import RandomRotation
from hocsau.layers.preprocessing.random_sharpness import RandomSharpness
from hocsau.layers.preprocessing.random_shear import RandomShear
from hocsau.layers.preprocessing.random_translation import RandomTranslation
from hocsau.layers.preprocessing.solarization import Solarization
from hocsau.ops import image


def make_augmentations(names, factor, value_range, interpolation, seed, data_format) -> dict:
    """The layers called `names` (Keras's attribute names), all at strength `factor` (a
    pair in [0, 1]), as Keras configures them for RandAugment and AugMix."""
    geometry = {"interpolation": interpolation, "seed": seed, "data_format": data_format}
    color = {"value_range": value_range, "seed": seed, "data_format": data_format}
    plain = {"value_range": value_range, "data_format": data_format}
    makers = {
        "random_shear": lambda: RandomShear(x_factor=factor, y_factor=factor, **geometry),
        "random_translation": lambda: RandomTranslation(factor, factor, **geometry),
        "random_rotation": lambda: RandomRotation(factor, **geometry),
        "random_brightness": lambda: RandomBrightness(factor, **color),
        "random_color_degeneration": lambda: RandomColorDegeneration(factor, **color),
        "random_contrast": lambda: RandomContrast(factor, **color),
        "random_sharpness": lambda: RandomSharpness(factor, **color),
        "random_posterization": lambda: RandomPosterization(max(1, int(8 * factor[1])), **color),
        "solarization": lambda: Solarization(factor, factor, **color),
        "auto_contrast": lambda: AutoContrast(**plain),
        "equalization": lambda: Equalization(**plain),
    }
    return {name: makers[name]() for name in names}


def get_random_transformation(layer, images: torch.Tensor, seed):
    """`layer`'s transformation for the batch `images`, drawn from `seed` (None when the
    layer is not random)."""
    draw = _DRAWS.get(type(layer))
    if draw is not None:
        return draw(layer, images, seed)
    if hasattr(layer, "get_random_transformation"):
        return layer.get_random_transformation(images, seed=seed)
    return None


def transform_images(layer, images: torch.Tensor, transformation) -> torch.Tensor:
    """`layer`'s augmentation of the batch `images` by `transformation`."""
    apply = _APPLIES.get(type(layer))
    return apply(layer, images, transformation) if apply else layer.transform_images(
        images, transformation)


def _uniform(shape, low, high, images, seed) -> torch.Tensor:
    return random.uniform(shape, low, high, dtype="float32", seed=seed).to(images.device)


def _per_image(images):
    return (images.shape[0], 1, 1, 1)


def _brightness(layer, images, seed) -> dict:
    low, high = layer.value_range
    return {"rgb_delta": _uniform(_per_image(images), *layer.factor, images, seed) * (high - low)}


def _contrast(layer, images, seed) -> dict:
    low, high = 1.0 - layer.factor[0], 1.0 + layer.factor[1]
    return {"contrast_factor": _uniform(_per_image(images), low, high, images, seed)}


def _rotation(layer, images, seed) -> dict:
    low, high = layer.factor
    return {"angle": _uniform((images.shape[0],), low * 360.0, high * 360.0, images, seed)}


def _translation(layer, images, seed) -> dict:
    height, width = (images.shape[axis] for axis in layer._spatial_axes)
    dy = _uniform((images.shape[0], 1), *layer._height_range, images, seed) * height
    dx = _uniform((images.shape[0], 1), *layer._width_range, images, seed) * width
    return {"translations": torch.cat([dx, dy], dim=1)}


def _brighten(layer, images, transformation) -> torch.Tensor:
    delta = torch.as_tensor(transformation["rgb_delta"]).to(images).reshape(-1, 1, 1, 1)
    return torch.clamp(images + delta, *layer.value_range)


def _contrast_images(layer, images, transformation) -> torch.Tensor:
    factor = torch.as_tensor(transformation["contrast_factor"]).to(images).reshape(-1, 1, 1, 1)
    mean = images.mean(dim=layer._spatial_axes, keepdim=True)
    return torch.clamp((images - mean) * factor + mean, *layer.value_range)


def _rotate(layer, images, transformation) -> torch.Tensor:
    angle = torch.as_tensor(transformation["angle"]).to(images.device).float().reshape(-1, 1)
    angle = angle * (math.pi / 180.0)
    height, width = (images.shape[axis] for axis in layer._spatial_axes)
    cos, sin = torch.cos(angle), torch.sin(angle)
    center_x, center_y = 0.5 * (width - 1), 0.5 * (height - 1)
    return _warp(layer, images, affine_rows(
        cos, -sin, center_x - center_x * cos + center_y * sin,
        sin, cos, center_y - center_x * sin - center_y * cos))


def _translate(layer, images, transformation) -> torch.Tensor:
    shifts = torch.as_tensor(transformation["translations"]).to(images.device).float()
    dx, dy = shifts[:, :1], shifts[:, 1:]
    ones, zeros = torch.ones_like(dx), torch.zeros_like(dx)
    return _warp(layer, images, affine_rows(ones, zeros, -dx, zeros, ones, -dy))


def _warp(layer, images, transforms) -> torch.Tensor:
    return image.affine_transform(images, transforms, layer.interpolation, layer.fill_mode,
                                  layer.fill_value, layer.data_format)


_DRAWS = {RandomBrightness: _brightness, RandomContrast: _contrast, RandomRotation: _rotation,
          RandomTranslation: _translation}
_APPLIES = {RandomBrightness: _brighten, RandomContrast: _contrast_images,
            RandomRotation: _rotate, RandomTranslation: _translate}
