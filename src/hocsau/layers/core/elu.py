"""`ELU`: the exponential linear unit as a layer."""

from __future__ import annotations

from hocsau import activations
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class ELU(Layer):
    """`x` for `x > 0`, else `alpha * (exp(x) - 1)`.

    Args:
        alpha: scale of the negative part.
    """

    supports_masking = True

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.built = True

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self) -> dict:
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
