"""`Dropout`: zeroes random input units while training, scaling the rest up."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Dropout(Layer):
    """Sets each input unit to 0 with probability `rate` when called with `training=True`,
    and divides the kept units by `1 - rate` so the expected sum is unchanged. In inference
    the input passes through untouched.

    Args:
        rate: fraction of the units to drop, in [0, 1].
        noise_shape: shape of the binary mask, broadcast over the input; None entries take the
            input's size, e.g. `(None, 1, features)` drops the same features at every step.
        seed: an integer making the masks reproducible (a generator owned by the layer);
            None draws from torch's global generator.
    """

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float value "
                             f"between 0 and 1. Received: rate={rate}")
        self.rate = rate
        self.seed = seed
        self.noise_shape = _validate_noise_shape(noise_shape)
        self._generator = None
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None and self.seed is None:
            return F.dropout(inputs, p=self.rate, training=True)
        keep = 1.0 - self.rate
        shape = inputs.shape
        if self.noise_shape is not None:
            shape = [size if n is None else n
                     for n, size in zip(self.noise_shape, inputs.shape, strict=True)]
        kept = torch.empty(shape, device=inputs.device).bernoulli_(
            keep, generator=self._generator_for(inputs.device))
        return torch.where(kept.bool(), inputs / keep, torch.zeros_like(inputs))

    def _generator_for(self, device: torch.device):
        if self.seed is None or device.type == "meta":
            return None
        if self._generator is None or self._generator.device != device:
            self._generator = torch.Generator(device=device)
            self._generator.manual_seed(self.seed)
        return self._generator

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config


def _validate_noise_shape(noise_shape):
    if noise_shape is None:
        return None
    prefix = "Invalid value received for argument `noise_shape`."
    if isinstance(noise_shape, str):
        raise ValueError(f"{prefix} Expected a tuple or list of integers. "
                         f"Received: noise_shape={noise_shape}")
    try:
        noise_shape = tuple(noise_shape)
    except TypeError:
        raise ValueError(f"{prefix} Expected an iterable of integers (e.g., a tuple or list). "
                         f"Received: noise_shape={noise_shape}") from None
    for i, dim in enumerate(noise_shape):
        if dim is None:
            continue
        if not isinstance(dim, int):
            raise ValueError(f"{prefix} Expected all elements to be integers or None. Received "
                             f"element at index {i}: {dim} (type: {type(dim).__name__})")
        if dim <= 0:
            raise ValueError(f"{prefix} Expected all dimensions to be positive integers or None. "
                             f"Received negative or zero value at index {i}: {dim}")
    return noise_shape
