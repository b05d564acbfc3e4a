"""`Solarization`: inverts the pixels above a random threshold, after a random brightening."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._augmentation_layer import (
    AugmentationLayer,
    check_value_range,
    rescale,
)
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Solarization(AugmentationLayer):
    """On pixels mapped to [0, 255]: adds `a`, clips, then replaces each value `v >= t` by
    `255 - v`; `a` and `t` are drawn per image. Identity unless `training=True`.

    As in Keras, `a` is drawn from `[lower, upper * 255]` of `addition_factor` (and `t` the
    same way), so only the upper end is scaled to pixel values.

    Args:
        addition_factor: a number `f` in [0, 1] (meaning `(0, f)`) or a pair in [0, 1].
        threshold_factor: the same for the threshold; the default 0 solarizes every pixel.
        value_range: the `(min, max)` of the pixel values.
        seed: an integer for reproducible draws.
        data_format: 'channels_last' (default from config) or 'channels_first'.

    The transformation is `{"additions": (batch, 1, 1, 1), "thresholds": (batch, 1, 1, 1)}`.
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.addition_factor = _unit_range(addition_factor, "addition_factor")
        self.threshold_factor = _unit_range(threshold_factor, "threshold_factor")
        self.value_range = check_value_range(value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        seed = self.generator if seed is None else seed
        shape = (images.shape[0], 1, 1, 1)
        additions = self._draw(shape, self.addition_factor[0], self.addition_factor[1] * 255,
                               images, seed)
        thresholds = self._draw(shape, self.threshold_factor[0],
                                self.threshold_factor[1] * 255, images, seed)
        return {"additions": additions, "thresholds": thresholds}

    def _transform(self, images, transformation):
        pixels = rescale(images, self.value_range, (0, 255))
        pixels = (pixels + transformation["additions"].to(pixels)).clamp(0, 255)
        pixels = torch.where(pixels < transformation["thresholds"].to(pixels), pixels,
                             255 - pixels)
        return rescale(pixels, (0, 255), self.value_range)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"value_range": self.value_range, "addition_factor": self.addition_factor,
                       "threshold_factor": self.threshold_factor})
        return config


def _unit_range(factor, name: str) -> tuple[float, float]:
    """`(0, f)` from a number `f` in [0, 1], or a sorted pair inside [0, 1]."""
    pair = isinstance(factor, (tuple, list))
    values = list(factor) if pair else [factor]
    if (pair and len(values) != 2) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
            for v in values):
        raise ValueError(f"The `{name}` argument should be a number (or a list of two numbers) "
                         f"in the range [0, 1]. Received: {name}={factor}")
    return tuple(sorted(values)) if pair else (0, factor)
