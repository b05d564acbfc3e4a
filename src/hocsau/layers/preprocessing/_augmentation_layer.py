"""Shared base of the Keras 3 image augmentations that draw a transformation, then apply it
(`get_random_transformation` / `transform_images`, Keras's two-step API), and their
`value_range` helpers."""

from __future__ import annotations

import torch

from hocsau import random
from hocsau.layers.preprocessing._image_layer import RandomImageLayer


class AugmentationLayer(RandomImageLayer):
    """Augments when `training=True`: draws a transformation for the batch, then applies it.

    Subclasses define `get_random_transformation(images, training=True, seed=None)` (draws
    from the layer's `SeedGenerator`, or from `seed`) and `_transform(images, transformation)`
    on a batch. A single image (rank 3) is augmented as a batch of one. The transformation is
    public so that a caller can fix it (as Keras's tests and pipelines do).
    """

    def call(self, inputs, training=True):
        inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        if not training:
            return inputs
        images = batched(inputs, self.name)
        outputs = self.transform_images(images, self.get_random_transformation(images))
        return outputs[0] if inputs.ndim == 3 else outputs

    def transform_images(self, images, transformation, training=True):
        """Applies `transformation` to a batch `images` (identity unless `training`)."""
        images = torch.as_tensor(images).to(self._dtype_policy.torch_compute_dtype)
        return self._transform(images, transformation) if training else images

    def _draw(self, shape, low, high, like: torch.Tensor, seed=None) -> torch.Tensor:
        """Uniform float32 draws on `like`'s device, from `seed` or the layer's stream."""
        seed = self.generator if seed is None else seed
        return random.uniform(shape, low, high, dtype="float32", seed=seed).to(like.device)

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else -3


def batched(inputs: torch.Tensor, name: str) -> torch.Tensor:
    """`inputs` as a batch: a single image (rank 3) gets a batch axis of one."""
    if inputs.ndim not in (3, 4):
        raise ValueError(f"Layer '{name}' expects rank 3 (single image) or 4 (batch of images) "
                         f"inputs. Received: inputs.shape={tuple(inputs.shape)}")
    return inputs.unsqueeze(0) if inputs.ndim == 3 else inputs


def check_value_range(value_range) -> list:
    """`value_range` sorted, after checking it is a pair of numbers."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value_range):
        raise ValueError("The `value_range` argument should be a list of two numbers. "
                         f"Received: value_range={value_range}")
    return sorted(value_range)


def rescale(images: torch.Tensor, source, target) -> torch.Tensor:
    """Maps values linearly from the `source` range to the `target` range (as Keras: through
    [0, 1], and not at all when the ranges are equal)."""
    if source[0] == target[0] and source[1] == target[1]:
        return images
    unit = (images - source[0]) / (source[1] - source[0])
    return unit * (target[1] - target[0]) + target[0]
