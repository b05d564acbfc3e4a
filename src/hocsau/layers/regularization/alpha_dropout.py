"""`AlphaDropout`: dropout that keeps SELU's self-normalizing mean and variance."""

from __future__ import annotations

from hocsau.layers.regularization._noise_layer import NoiseLayer
from hocsau.saving.serialization import keras_class

_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


@keras_class("keras.layers")
class AlphaDropout(NoiseLayer):
    """Dropped units take SELU's negative saturation value, then an affine map restores the
    input's mean and variance (Keras's formula); the identity unless `training=True`."""

    def __init__(self, rate: float, noise_shape=None, seed=None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def call(self, inputs, training=False):
        if not training or self.rate <= 0:
            return inputs
        shape = inputs.shape if self.noise_shape is None else tuple(
            size if n is None else n
            for n, size in zip(self.noise_shape, inputs.shape, strict=True))
        kept = (self._uniform(shape, inputs) >= self.rate).to(inputs.dtype)
        alpha_p = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self) -> dict:
        return {**super().get_config(), "noise_shape": self.noise_shape}
