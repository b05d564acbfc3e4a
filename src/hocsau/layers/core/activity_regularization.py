"""`ActivityRegularization`: adds an L1/L2 penalty on the activations that pass through."""

from __future__ import annotations

from hocsau import regularizers
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class ActivityRegularization(Layer):
    """Identity on its input, plus `l1 * sum(|x|) + l2 * sum(x**2)` (divided by the batch
    size, as Keras does) added to `losses` at each call.

    Args:
        l1: L1 factor (non-negative float).
        l2: L2 factor (non-negative float).
    """

    supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.built = True

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config
