"""`AdaptiveMaxPooling2D`: the maximum of evenly spread windows, to a fixed output size."""

from __future__ import annotations

from hocsau.layers.pooling._base_adaptive_pooling import BaseAdaptivePooling
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Adaptive max pooling over the height and width.

    Window sizes and strides follow from the input size, so the output always has
    `output_size` steps per axis.

    Channels-last inputs are (batch, height, width, channels).

    Args:
        output_size: int or tuple of 2 ints, the output's spatial size.
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, data_format, rank=2, mode="max", **kwargs)
