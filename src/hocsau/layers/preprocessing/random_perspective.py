"""`RandomPerspective`: moves the image corners by random offsets while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._affine_layer import INTERPOLATIONS
from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer
from hocsau.layers.preprocessing._image_layer import check_choice, factor_range
from hocsau.ops import image
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomPerspective(AugmentationLayer):
    """Warps an image so that each corner `p` moves to `p * (1 + u)`, with `u` drawn per
    corner and coordinate from `[-scale / 2, scale / 2]`, when a uniform draw falls below a
    probability drawn from the factor range; outside points take `fill_value`. Identity
    unless `training=True`.

    Args:
        factor: a number `f` in [0, 1] (meaning probabilities in `(0, f)`) or a pair.
        scale: the size of the corner offsets, in [0, 1].
        interpolation: 'bilinear' or 'nearest'.
        fill_value: the value outside the warped image.
        seed: an integer for reproducible draws.
        data_format: 'channels_last' (default from config) or 'channels_first'.

    The transformation is `{"apply_perspective": (batch,) bool, "start_points": (batch, 4,
    2), "end_points": (batch, 4, 2)}`, corners as (x, y).
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0,
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "factor", (0, 1))
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or \
                not 0.0 <= scale <= 1.0:
            raise ValueError("The `scale` argument should be a number in the range [0, 1]. "
                             f"Received: scale={scale}")
        check_choice("interpolation", interpolation, INTERPOLATIONS)
        self.scale, self.interpolation, self.fill_value = scale, interpolation, fill_value

    def get_random_transformation(self, images, training=True, seed=None):
        seed = self.generator if seed is None else seed
        batch_size = images.shape[0]
        probability = self._draw((batch_size,), *self.factor, images, seed)
        threshold = self._draw((batch_size,), 0.0, 1.0, images, seed)
        offsets = self._draw((batch_size, 4, 2), -0.5 * self.scale, 0.5 * self.scale, images,
                             seed)
        height, width = (images.shape[axis] for axis in self._spatial_axes)
        corners = torch.tensor([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1],
                                [width - 1, height - 1]], device=images.device)
        start = corners.expand(batch_size, 4, 2)
        return {"apply_perspective": threshold < probability, "start_points": start,
                "end_points": start + start * offsets}

    def _transform(self, images, transformation):
        start, end = (torch.as_tensor(transformation[key]).to(images.device, torch.float32)
                      for key in ("start_points", "end_points"))
        warped = image.perspective_transform(images, start, end, self.interpolation,
                                             self.fill_value, self.data_format)
        apply = transformation["apply_perspective"].to(images.device).reshape(-1, 1, 1, 1)
        return torch.where(apply, warped, images)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale,
                       "interpolation": self.interpolation, "fill_value": self.fill_value})
        return config
