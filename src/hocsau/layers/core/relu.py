"""`ReLU`: the rectified linear unit with Keras's ceiling, leak and threshold options."""

from __future__ import annotations

from hocsau import activations
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class ReLU(Layer):
    """`min(x, max_value)` for `x >= threshold`, `negative_slope * (x - threshold)` below.

    Args:
        max_value: the ceiling (non-negative float), or None for none.
        negative_slope: slope below the threshold (non-negative float).
        threshold: where the rectifier bends (non-negative float).
    """

    supports_masking = True

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError("max_value of a ReLU layer cannot be a negative value. Received: "
                             f"max_value={max_value}")
        for name, value in (("negative_slope", negative_slope), ("threshold", threshold)):
            if value is None or value < 0.0:
                raise ValueError(f"{name} of a ReLU layer cannot be None or a negative value. "
                                 f"Received: {name}={value}")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.built = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config
