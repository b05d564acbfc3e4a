"""`RandomElasticTransform`: displaces pixels by a smooth random field while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._affine_layer import INTERPOLATIONS
from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer, check_value_range
from hocsau.layers.preprocessing._image_layer import check_choice, factor_range
from hocsau.ops import image
from hocsau.saving.serialization import keras_class

FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


@keras_class("keras.layers")
class RandomElasticTransform(AugmentationLayer):
    """Elastic distortion (`hocsau.ops.image.elastic_transform`) of each image whose uniform
    draw falls below a probability drawn from the factor range, with one distortion `d` per
    batch drawn from `scale`: `alpha = 0.1 * d * max(height, width)` and
    `sigma = 0.05 * d * min(height, width)`. Outputs are clipped to `value_range`. Identity
    unless `training=True`.

    Args:
        factor: a number `f` in [0, 1] (meaning probabilities in `(0, f)`) or a pair.
        scale: a number `s` in [0, 1] (meaning distortions in `(0, s)`) or a pair.
        interpolation: 'bilinear' or 'nearest'.
        fill_mode: 'reflect', 'constant', 'nearest', 'wrap' or 'mirror' (points outside).
        fill_value: the value outside the image with 'constant'.
        value_range: the `(min, max)` of the pixel values.
        seed: an integer for reproducible draws.
        data_format: 'channels_last' (default from config) or 'channels_first'.

    The transformation is `{"apply_transform": (batch,) bool, "distortion_factor": scalar,
    "seed": the seed of the displacement noise}`. As in Keras, the noise is drawn when the
    transformation is applied (from the layer's stream, or from torch's global generator
    where `seed` is None); Keras's torch backend always takes it from the global generator.
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "factor", (0, 1))
        self.scale = factor_range(scale, "scale", (0, 1))
        check_choice("interpolation", interpolation, INTERPOLATIONS)
        check_choice("fill_mode", fill_mode, FILL_MODES)
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value
        self.value_range = check_value_range(value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        """The draws for a batch `images`, in Keras's order; None (identity) when not
        training or when `factor` or `scale` allows no distortion."""
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return None
        seed = self.generator if seed is None else seed
        batch_size = images.shape[0] if images.ndim == 4 else 1
        probability = self._draw((batch_size,), *self.factor, images, seed)
        threshold = self._draw((batch_size,), 0.0, 1.0, images, seed)
        distortion = self._draw((), *self.scale, images, seed)
        return {"apply_transform": threshold < probability, "distortion_factor": distortion,
                "seed": seed}

    def _transform(self, images, transformation):
        if transformation is None:
            return images
        height, width = (images.shape[axis] for axis in self._spatial_axes)
        distortion = torch.as_tensor(transformation["distortion_factor"], dtype=torch.float32)
        alpha = max(height, width) * (0.1 * distortion)
        sigma = min(height, width) * (0.05 * distortion)
        warped = image.elastic_transform(images, alpha, sigma, self.interpolation,
                                         self.fill_mode, self.fill_value,
                                         transformation["seed"], self.data_format)
        apply = torch.as_tensor(transformation["apply_transform"]).to(images.device)
        apply = apply.reshape((-1,) + (1,) * (images.ndim - 1))
        low, high = self.value_range
        return torch.where(apply, warped, images).clamp(low, high).to(images.dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale,
                       "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                       "fill_value": self.fill_value, "value_range": self.value_range})
        return config
