"""`NoiseLayer`: the frame of the layers that perturb their inputs only in training."""

from __future__ import annotations

from hocsau import random as hocsau_random
from hocsau.layers.layer import Layer


class NoiseLayer(Layer):
    """Holds the rate / seed arguments and a `SeedGenerator`, so a seed fixes the sequence of
    draws; `call` is the identity unless `training=True`."""

    def __init__(self, rate: float, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float value "
                             f"between 0 and 1. Received: rate={rate}")
        self.rate, self.seed = float(rate), seed
        self.seed_generator = hocsau_random.SeedGenerator(seed)
        self.supports_masking = True

    def _normal(self, like, mean: float, stddev: float):
        return hocsau_random.normal(like.shape, mean, stddev, dtype=like.dtype,
                                    seed=self.seed_generator).to(like.device)

    def _uniform(self, shape, like):
        return hocsau_random.uniform(shape, dtype=like.dtype,
                                     seed=self.seed_generator).to(like.device)

    def _dropout(self, inputs, noise_shape):
        return hocsau_random.dropout(inputs, self.rate, noise_shape=noise_shape,
                                     seed=self.seed_generator)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
