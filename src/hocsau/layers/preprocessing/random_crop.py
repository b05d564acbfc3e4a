"""`RandomCrop`: a random `(height, width)` window of each batch while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._image_layer import RandomImageLayer, check_size
from hocsau.ops import image
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomCrop(RandomImageLayer):
    """Crops images to `(height, width)` at a random offset (one per call, as Keras) when
    `training=True`. At inference, and for images not larger than the target on both sides,
    the largest centered box of the target's aspect ratio is resized to it instead (as Keras
    documents), so the output shape is always `(height, width)`.

    Args:
        height / width: the output size.
        seed: an integer for reproducible crops.
        data_format: 'channels_last' (default from config) or 'channels_first'.
    """

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        check_size(height, width)
        self.height, self.width = height, width

    def call(self, inputs, training=True):
        inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        height_axis, width_axis = self._spatial_axes
        in_height, in_width = inputs.shape[height_axis], inputs.shape[width_axis]
        if not (training and in_height > self.height and in_width > self.width):
            if (in_height, in_width) == (self.height, self.width):
                return inputs
            return image.resize(inputs, (self.height, self.width), crop_to_aspect_ratio=True,
                                data_format=self.data_format)
        # Offsets stay on the device: the window is gathered by index, with no host sync.
        rows = self._window(inputs, in_height, self.height)
        cols = self._window(inputs, in_width, self.width)
        return inputs.index_select(height_axis, rows).index_select(width_axis, cols)

    def _window(self, inputs, size: int, target: int):
        start = self._uniform((), 0.0, float(size - target + 1), inputs).long()
        start = start.clamp(max=size - target)  # float rounding can reach the upper end
        return start + torch.arange(target, device=inputs.device)

    def compute_output_shape(self, input_shape):
        return self._sized(input_shape, self.height, self.width)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return config
