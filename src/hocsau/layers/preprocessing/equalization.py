"""`Equalization`: histogram equalization of each color channel."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._augmentation_layer import batched, check_value_range
from hocsau.layers.preprocessing._image_layer import ImageLayer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Equalization(ImageLayer):
    """Remaps each channel through its cumulative histogram (`bins` bins over the value range)
    so that its values spread evenly; a channel with a single occupied bin is kept. Applied
    when `training=True` only, as in Keras, whose histogram covers a channel across the whole
    batch (so a batch is equalized jointly, not image by image).

    Args:
        value_range: the `(min, max)` of the pixel values.
        bins: the number of histogram bins.
        data_format: 'channels_last' (default from config) or 'channels_first'.
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
            raise ValueError(f"`bins` must be an integer of at least 2. Received: bins={bins}")
        self.bins = bins
        self.value_range = check_value_range(value_range)

    def call(self, inputs, training=True):
        inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        if not training:
            return inputs
        outputs = self.transform_images(batched(inputs, self.name))
        return outputs[0] if inputs.ndim == 3 else outputs

    def transform_images(self, images, transformation=None, training=True):
        """Equalizes a batch `images` (identity unless `training`)."""
        images = torch.as_tensor(images).to(self._dtype_policy.torch_compute_dtype)
        if not training:
            return images
        axis = -1 if self.data_format == "channels_last" else -3
        channels = [self._equalize(channel) for channel in images.unbind(axis)]
        return torch.stack(channels, axis)

    def _equalize(self, channel: torch.Tensor) -> torch.Tensor:
        channel = _scale(channel, self.value_range, (0, 255))
        bins = self.bins
        indices = (channel.float() * (bins - 1) / 255.0).to(torch.int32).clamp(0, bins - 1)
        histogram = torch.bincount(indices.flatten().long(), minlength=bins)
        cdf = torch.cumsum(histogram, 0)
        cdf_min = cdf[torch.nonzero(cdf)[0, 0]]
        denominator = cdf[-1] - cdf_min
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        table = torch.round((cdf - cdf_min) * 255 / denominator).clamp(0, 255).to(channel.dtype)
        lookup = ((channel / 255.0) * (bins - 1)).clamp(0, bins - 1).to(torch.int32)
        equalized = torch.where(torch.count_nonzero(histogram) <= 1, channel,
                                table[lookup.long()])
        return _scale(equalized, (0, 255), self.value_range)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"bins": self.bins, "value_range": self.value_range})
        return config


def _scale(values: torch.Tensor, source, target) -> torch.Tensor:
    """Maps `source` onto `target` linearly, as `values * scale + offset` (Keras's rounding)."""
    scale = (target[1] - target[0]) / (source[1] - source[0])
    return values * scale + (target[0] - source[0] * scale)
