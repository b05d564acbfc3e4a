"""`RandomGaussianBlur`: blurs a random share of the images while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._augmentation_layer import AugmentationLayer, check_value_range
from hocsau.layers.preprocessing._image_layer import factor_range
from hocsau.ops import image
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomGaussianBlur(AugmentationLayer):
    """Blurs an image (zero padded borders), then clips to `value_range`, when a uniform draw
    falls below a probability drawn from the factor range; the two standard deviations
    (along width, along height, as Keras) are drawn once per batch. Identity unless `training=True`.

    Args:
        factor: a number `f` in [0, 1] (meaning probabilities in `(0, f)`) or a pair.
        kernel_size: an odd integer, or a pair of odd integers (height, width).
        sigma: a number `s` in [0, 1] (meaning `(0, s)`) or a pair; the range of the standard
            deviations.
        value_range: the `(min, max)` of the pixel values.
        data_format: 'channels_last' (default from config) or 'channels_first'.
        seed: an integer for reproducible draws.

    The transformation is `{"should_apply_blur": (batch,) bool, "blur_factor": (2,)}`.
    """

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(factor, "factor", (0, 1))
        self.kernel_size = _odd_pair(kernel_size)
        self.sigma = factor_range(sigma, "sigma", (0, 1))
        check_value_range(value_range)
        self.value_range = value_range

    def get_random_transformation(self, images, training=True, seed=None):
        seed = self.generator if seed is None else seed
        probability = self._draw((images.shape[0],), *self.factor, images, seed)
        threshold = self._draw((images.shape[0],), 0.0, 1.0, images, seed)
        sigma = self._draw((2,), *self.sigma, images, seed) + 1e-6
        return {"should_apply_blur": threshold < probability, "blur_factor": sigma}

    def _transform(self, images, transformation):
        sigma = torch.as_tensor(transformation["blur_factor"])
        blurred = image.gaussian_blur(images, self.kernel_size, sigma,
                                      data_format=self.data_format)
        apply = transformation["should_apply_blur"].to(images.device).reshape(-1, 1, 1, 1)
        return torch.where(apply, blurred, images).clamp(*sorted(self.value_range))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "kernel_size": self.kernel_size,
                       "sigma": self.sigma, "value_range": self.value_range})
        return config


def _odd_pair(kernel_size) -> tuple[int, int]:
    sizes = list(kernel_size) if isinstance(kernel_size, (tuple, list)) else [kernel_size] * 2
    if len(sizes) != 2 or not all(isinstance(k, int) and not isinstance(k, bool) and k > 0 and
                                  k % 2 == 1 for k in sizes):
        raise ValueError("`kernel_size` must be an odd positive integer or a pair of them. "
                         f"Received: kernel_size={kernel_size}")
    return sizes[0], sizes[1]
