"""Shared plumbing of the image preprocessing layers: data format, spatial axes, factor
checks and the seeded draws of the random augmentations."""

from __future__ import annotations

import torch

from hocsau import random
from hocsau.layers.layer import Layer
from hocsau.utils.argument_validation import standardize_data_format


class ImageLayer(Layer):
    """A weightless layer on single images (rank 3) or batches (rank 4)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.built = True

    @property
    def _spatial_axes(self) -> tuple[int, int]:
        """The (height, width) axes, counted from the end so both ranks share them."""
        return (-3, -2) if self.data_format == "channels_last" else (-2, -1)

    def _sized(self, shape, height, width) -> tuple:
        shape = list(shape)
        height_axis, width_axis = self._spatial_axes
        shape[height_axis], shape[width_axis] = height, width
        return tuple(shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class RandomImageLayer(ImageLayer):
    """An augmentation: transforms with `training=True`, passes inputs through otherwise.

    `seed` starts the layer's `SeedGenerator`, so the same seed gives the same sequence of
    augmentations; None seeds it from torch's global generator.
    """

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def _uniform(self, shape, low: float, high: float, like: torch.Tensor) -> torch.Tensor:
        """Uniform draws on `like`'s device, from the layer's seed stream."""
        return random.uniform(shape, low, high, seed=self.generator).to(like.device)

    def _per_image(self, images: torch.Tensor, low: float, high: float) -> torch.Tensor:
        """One draw per image, shaped to broadcast over it."""
        shape = (images.shape[0], 1, 1, 1) if images.ndim == 4 else (1, 1, 1)
        return self._uniform(shape, low, high, images)

    def get_config(self) -> dict:
        config = super().get_config()
        config["seed"] = self.seed
        return config


def factor_range(factor, name: str, bounds=(-1.0, 1.0),
                 pair_inside: bool = False) -> tuple[float, float]:
    """`(lower, upper)` from a number `f` in `bounds` (meaning `(-|f|, |f|)`, the lower end
    clipped to the bounds) or a pair.

    Args:
        pair_inside: both ends of a pair must lie in `bounds`; otherwise a pair only has to
            overlap them (Keras's rule for rotation, contrast and brightness).
    """
    error = ValueError(f"The `{name}` argument should be a number (or a list of two numbers) "
                       f"in the range [{bounds[0]}, {bounds[1]}]. Received: {name}={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(isinstance(f, (int, float)) for f in factor):
            raise error
        lower, upper = sorted(factor)
        if upper < bounds[0] or lower > bounds[1] or (
                pair_inside and (lower < bounds[0] or upper > bounds[1])):
            raise error
        return lower, upper
    if not isinstance(factor, (int, float)) or isinstance(factor, bool) or \
            not bounds[0] <= factor <= bounds[1]:
        raise error
    factor = abs(factor)
    return max(-factor, bounds[0]), factor


def check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"Invalid value for argument `{name}`. Expected one of "
                         f"{list(choices)}. Received: {name}={value!r}")


def check_size(height, width) -> None:
    for name, value in (("height", height), ("width", width)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
