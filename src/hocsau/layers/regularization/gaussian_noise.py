"""`GaussianNoise`: adds zero-mean Gaussian noise while training."""

from __future__ import annotations

from hocsau.layers.regularization._noise_layer import NoiseLayer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class GaussianNoise(NoiseLayer):
    """`x + N(0, stddev**2)` with `training=True`; the identity otherwise."""

    def __init__(self, stddev: float, seed=None, **kwargs):
        if not isinstance(stddev, (int, float)) or stddev < 0:
            raise ValueError("Invalid value received for argument `stddev`. Expected a float "
                             f"value >= 0. Received: stddev={stddev}")
        super().__init__(0.0, seed, **kwargs)
        self.stddev = float(stddev)

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return inputs + self._normal(inputs, 0.0, self.stddev)
        return inputs

    def get_config(self) -> dict:
        config = super().get_config()
        del config["rate"]
        return {**config, "stddev": self.stddev}
