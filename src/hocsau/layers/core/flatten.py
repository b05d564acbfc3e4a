"""`Flatten`: collapses every axis but the batch axis into one."""

from __future__ import annotations

import math

from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class
from hocsau.utils.argument_validation import standardize_data_format


@keras_class("keras.layers")
class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...); a (batch,) input becomes (batch, 1).

    Args:
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
            Channels-first inputs are moved to channels-last before flattening, so a model
            flattens features in the same order whichever layout it runs in.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        rank = inputs.dim()
        if self.data_format == "channels_first" and rank > 2:
            inputs = inputs.permute(0, *range(2, rank), 1)
        return inputs.reshape(inputs.shape[0], math.prod(inputs.shape[1:]))

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
