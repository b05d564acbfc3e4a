"""`GaussianDropout`: multiplies inputs by 1-centred Gaussian noise while training."""

from __future__ import annotations

import math

from hocsau.layers.regularization._noise_layer import NoiseLayer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class GaussianDropout(NoiseLayer):
    """`x * N(1, rate / (1 - rate))` with `training=True` (the variance of a dropout of that
    rate, without zeros); the identity otherwise."""

    def call(self, inputs, training=False):
        if training and 0 < self.rate < 1:
            return inputs * self._normal(inputs, 1.0, math.sqrt(self.rate / (1.0 - self.rate)))
        return inputs
