"""`RandomErasing`: fills a random rectangle of a random share of the images."""

from __future__ import annotations

import torch

from hocsau import random
from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer, check_value_range
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomErasing(AugmentationLayer):
    """Replaces a rectangle of an image by `fill_value` (Gaussian noise times the top of
    `value_range` when None), clipped to `value_range`, when a uniform draw falls below a
    probability drawn from the factor range. The rectangle's sides are `sqrt(a)` times the
    image's, `a` drawn per side and image from `scale`, at a uniform offset. Identity unless
    `training=True`.

    Args:
        factor: a number `f` in [0, 1] (meaning probabilities in `(0, f)`) or a pair.
        scale: a number or a pair in [0, 1]: the range of the area ratios `a`.
        fill_value: a number, three numbers (one per channel) or None (noise).
        value_range: the `(min, max)` of the pixel values.
        seed: an integer for reproducible draws.
        data_format: 'channels_last' (default from config) or 'channels_first'.

    The transformation is `{"apply_erasing": (batch,) bool, "batch_masks": bool like the
    images, "fill_value": like the images}`.
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "factor", (0, 1))
        self.scale = factor_range(scale, "scale", (0, 1))
        if not (fill_value is None or isinstance(fill_value, (int, float)) or (
                isinstance(fill_value, (tuple, list)) and len(fill_value) == 3)):
            raise ValueError("The `fill_value` argument should be a number (or a list of three "
                             f"numbers). Received: fill_value={fill_value}")
        check_value_range(value_range)
        self.fill_value, self.value_range = fill_value, value_range

    def get_random_transformation(self, images, training=True, seed=None):
        seed = self.generator if seed is None else seed
        batch_size = images.shape[0]
        height, width = (images.shape[axis] for axis in self._spatial_axes)
        ratios = torch.sqrt(self._draw((batch_size, 2), *self.scale, images, seed))
        x0, x1 = self._bounds(batch_size, width, ratios[:, 0], images, seed)
        y0, y1 = self._bounds(batch_size, height, ratios[:, 1], images, seed)
        probability = self._draw((batch_size,), *self.factor, images, seed)
        threshold = self._draw((batch_size,), 0.0, 1.0, images, seed)
        return {"apply_erasing": threshold < probability,
                "batch_masks": self._mask(images, x0, x1, y0, y1),
                "fill_value": self._fill(images, seed)}

    def _bounds(self, batch_size, length, ratio, like, seed):
        size = ratio * length
        start = self._draw((batch_size,), 0.0, 1.0, like, seed) * (length - size)
        return start, start + size

    def _mask(self, images, x0, x1, y0, y1) -> torch.Tensor:
        height, width = (images.shape[axis] for axis in self._spatial_axes)
        rows = torch.arange(height, dtype=torch.float32, device=images.device).reshape(1, -1, 1)
        cols = torch.arange(width, dtype=torch.float32, device=images.device).reshape(1, 1, -1)
        x0, x1, y0, y1 = (v.reshape(-1, 1, 1) for v in (x0, x1, y0, y1))
        inside = (cols >= x0) & (cols < x1) & (rows >= y0) & (rows < y1)
        return inside.unsqueeze(self._channel_axis).expand(images.shape)

    def _fill(self, images, seed) -> torch.Tensor:
        if self.fill_value is None:
            noise = random.normal(tuple(images.shape), dtype="float32", seed=seed)
            fill = noise.to(images.device) * self.value_range[1]
        else:
            values = torch.as_tensor(self.fill_value, dtype=torch.float32, device=images.device)
            if values.ndim and self.data_format == "channels_first":
                values = values.reshape(-1, 1, 1)
            fill = values.expand(images.shape).clone()
        return fill.clamp(self.value_range[0], self.value_range[1])

    def _transform(self, images, transformation):
        masks = torch.as_tensor(transformation["batch_masks"]).to(images.device)
        fill = torch.as_tensor(transformation["fill_value"]).to(images)
        apply = transformation["apply_erasing"].to(images.device).reshape(-1, 1, 1, 1)
        return torch.where(apply & masks, fill, images)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale,
                       "fill_value": self.fill_value, "value_range": self.value_range})
        return config
