"""`RandomFlip`: mirrors images left-right and/or up-down at random while training."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._image_layer import RandomImageLayer, check_choice
from hocsau.saving.serialization import keras_class

_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


@keras_class("keras.layers")
class RandomFlip(RandomImageLayer):
    """Flips each image with probability 1/2 (one draw per image, shared by both directions
    in 'horizontal_and_vertical' mode, as Keras); identity unless `training=True`.

    Args:
        mode: 'horizontal', 'vertical' or 'horizontal_and_vertical'.
        seed: an integer for reproducible flips.
        data_format: 'channels_last' (default from config) or 'channels_first'.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        check_choice("mode", mode, _MODES)
        self.mode = mode

    def call(self, inputs, training=True):
        inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        if not training:
            return inputs
        flips = self._per_image(inputs, 0.0, 1.0) <= 0.5
        height_axis, width_axis = self._spatial_axes
        outputs = inputs
        if self.mode != "vertical":
            outputs = torch.where(flips, outputs.flip(width_axis), outputs)
        if self.mode != "horizontal":
            outputs = torch.where(flips, outputs.flip(height_axis), outputs)
        return outputs

    def get_config(self) -> dict:
        config = super().get_config()
        config["mode"] = self.mode
        return config
