"""`MixUp`: blends each image (and its label) with another of the batch while training."""

from __future__ import annotations

import torch

from hocsau import random
from hocsau.layers.preprocessing._mixing_layer import MixingLayer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class MixUp(MixingLayer):
    """MixUp (Zhang et al., 2017): `w * x + (1 - w) * x[p]`, with `p` a random permutation of
    the batch and `w ~ Beta(alpha, alpha)` drawn per image; labels in dict inputs
    `{"images": ..., "labels": ...}` mix by the same `w`. Identity unless `training=True`.

    Args:
        alpha: the Beta distribution's concentration: small values keep images nearly
            intact, larger ones blend more (0.2 is the usual choice for ImageNet).
        data_format: 'channels_last' (default from config) or 'channels_first'.
        seed: an integer for reproducible draws.

    The transformation is `{"mix_weight": (batch,), "permutation_order": (batch,) int64}`.
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(f"The `alpha` argument should be a positive number. "
                             f"Received: alpha={alpha}")
        self.alpha = alpha

    def get_random_transformation(self, images, training=True, seed=None):
        if isinstance(images, dict):
            images = images["images"]
        seed = self.generator if seed is None else seed
        batch_size = images.shape[0] if images.ndim == 4 else 1
        device = torch.as_tensor(images).device
        order = random.shuffle(torch.arange(batch_size, device=device), seed=seed)
        weight = random.beta((batch_size,), self.alpha, self.alpha, dtype="float32", seed=seed)
        return {"mix_weight": weight.to(device), "permutation_order": order}

    def _transform(self, images, transformation):
        order = torch.as_tensor(transformation["permutation_order"]).to(images.device).long()
        weight = torch.as_tensor(transformation["mix_weight"]).to(images).reshape(-1, 1, 1, 1)
        return weight * images + (1.0 - weight) * images[order]

    def get_config(self) -> dict:
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
