"""`Activation`: applies an activation function to its input."""

from __future__ import annotations

from hocsau import activations
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Activation(Layer):
    """Applies `activation` element-wise; the mask of the input passes through.

    Args:
        activation: an activation name ("relu") or any callable on tensors.
    """

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
