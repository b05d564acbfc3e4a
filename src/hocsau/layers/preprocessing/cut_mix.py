"""`CutMix`: pastes a patch of another image of the batch into each image while training."""

from __future__ import annotations

import torch

from hocsau import random
from hocsau.layers.preprocessing._augmentation_layer import batched
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.layers.preprocessing._mixing_layer import MixingLayer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class CutMix(MixingLayer):
    """CutMix (Yun et al., 2019): each image gets a rectangle cut from image `p[i]` of the
    batch (`p` a random permutation). A concentration `a` is drawn per call from the factor
    range, then `w ~ Beta(a, a)` per image; the rectangle's sides are `sqrt(1 - w)` times the
    image's, at a uniform offset. Labels in dict inputs `{"images": ..., "labels": ...}` mix
    by the share of the image left uncovered. Identity unless `training=True`.

    Args:
        factor: a number `f` in [0, 1] (meaning `(0, f)`) or a pair: the range of `a`.
        seed: an integer for reproducible draws.
        data_format: 'channels_last' (default from config) or 'channels_first'.

    The transformation is `{"permutation_order": (batch,) int32, "batch_masks": bool like the
    images, "mix_weight": (batch, 1, 1, 1)}`.
    """

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "factor", (0, 1))

    def get_random_transformation(self, images, training=True, seed=None):
        if isinstance(images, dict):
            images = images["images"]
        images = batched(torch.as_tensor(images), self.name)
        seed = self.generator if seed is None else seed
        batch_size = images.shape[0]
        height, width = (images.shape[axis] for axis in self._spatial_axes)
        alpha = self._draw((), *self.factor, images, seed) + 1e-6
        weight = random.beta((batch_size,), alpha, alpha, dtype="float32", seed=seed)
        ratio = torch.sqrt(1.0 - weight.to(images.device))
        x0, x1 = self._bounds(batch_size, width, ratio, images, seed)
        y0, y1 = self._bounds(batch_size, height, ratio, images, seed)
        order = random.shuffle(torch.arange(batch_size, dtype=torch.int32,
                                            device=images.device), seed=seed)
        area = ((x1 - x0) * (y1 - y0)).reshape(-1, 1, 1, 1)
        return {"permutation_order": order, "batch_masks": self._mask(images, x0, x1, y0, y1),
                "mix_weight": 1.0 - area / (width * height)}

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

    def _transform(self, images, transformation):
        order = torch.as_tensor(transformation["permutation_order"]).to(images.device).long()
        masks = torch.as_tensor(transformation["batch_masks"]).to(images.device)
        return torch.where(masks, images[order], images)

    def get_config(self) -> dict:
        config = super().get_config()
        config["factor"] = self.factor
        return config
