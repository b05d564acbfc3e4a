"""Initializers drawing from fixed distributions: normal, uniform and truncated normal."""

from __future__ import annotations

import torch

from hocsau.initializers import _sampling
from hocsau.initializers.initializer import Initializer
from hocsau.saving.serialization import keras_class


class RandomInitializer(Initializer):
    """Base of the random initializers: checks and keeps the `seed`.

    Args:
        seed: An integer makes every call return the same values; None draws from torch's
            global generator (seed it with `torch.manual_seed` for reproducible runs).
    """

    def __init__(self, seed: int | None = None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"`seed` argument should be an integer or None. Received: seed={seed}")
        self.seed = seed

    def get_config(self) -> dict:
        return {"seed": self.seed}


class _Gaussian(RandomInitializer):
    """Shared body of the two normal initializers; `_draw` is the sampling function."""

    _draw = staticmethod(_sampling.normal)

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return self._draw(shape, self.mean, self.stddev, dtype, self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@keras_class("keras.initializers")
class RandomNormal(_Gaussian):
    """Samples from a normal distribution.

    Args:
        mean: Mean of the distribution.
        stddev: Standard deviation of the distribution.
        seed: Integer seed, or None for torch's global generator.
    """


@keras_class("keras.initializers")
class TruncatedNormal(_Gaussian):
    """Samples from a normal distribution cut at two standard deviations from the mean.

    Args:
        mean: Mean of the distribution before truncation.
        stddev: Standard deviation of the distribution before truncation.
        seed: Integer seed, or None for torch's global generator.
    """

    _draw = staticmethod(_sampling.truncated_normal)


@keras_class("keras.initializers")
class RandomUniform(RandomInitializer):
    """Samples uniformly from `[minval, maxval)`.

    Args:
        minval: Lower bound (inclusive).
        maxval: Upper bound (exclusive).
        seed: Integer seed, or None for torch's global generator.
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return _sampling.uniform(shape, self.minval, self.maxval, dtype, self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}
