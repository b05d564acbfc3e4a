"""`AutoContrast`: stretches each image channel to the full value range."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._augmentation_layer import batched, check_value_range, rescale
from hocsau.layers.preprocessing._image_layer import ImageLayer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class AutoContrast(ImageLayer):
    """Maps each channel of each image linearly so that its lowest value becomes the bottom of
    `value_range` and its highest the top; flat channels (no range to stretch) are left as
    they are. Not random, and applied in training and inference alike, as in Keras.

    Args:
        value_range: the `(min, max)` of the pixel values.
        data_format: 'channels_last' (default from config) or 'channels_first'.
    """

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = check_value_range(value_range)

    def call(self, inputs):
        inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        outputs = self.transform_images(batched(inputs, self.name))
        return outputs[0] if inputs.ndim == 3 else outputs

    def transform_images(self, images, transformation=None, training=True):
        """Stretches a batch `images` (`transformation` and `training` are unused)."""
        images = torch.as_tensor(images).to(self._dtype_policy.torch_compute_dtype)
        pixels = rescale(images, self.value_range, (0, 255))
        low = pixels.amin(dim=self._spatial_axes, keepdim=True)
        high = pixels.amax(dim=self._spatial_axes, keepdim=True)
        scale = 255.0 / (high - low)
        stretched = (pixels * scale - low * scale).clamp(0.0, 255.0)
        results = rescale(stretched, (0, 255), self.value_range)
        return torch.where(torch.isnan(results), images, results)

    def get_config(self) -> dict:
        config = super().get_config()
        config["value_range"] = self.value_range
        return config
