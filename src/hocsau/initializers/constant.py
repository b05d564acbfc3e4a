"""Deterministic initializers: zeros, ones, a constant and the identity matrix."""

from __future__ import annotations

import torch

from hocsau.config import torch_dtype
from hocsau.initializers.initializer import Initializer
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras.initializers")
class Zeros(Initializer):
    """All zeros (any numeric or boolean dtype)."""

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return torch.zeros(tuple(shape), dtype=torch_dtype(dtype))


@keras_class("keras.initializers")
class Ones(Initializer):
    """All ones (any numeric or boolean dtype)."""

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return torch.ones(tuple(shape), dtype=torch_dtype(dtype))


@keras_class("keras.initializers")
class Constant(Initializer):
    """Every entry set to `value`.

    Args:
        value: A Python scalar (or an array broadcastable to the requested shape).
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        dtype = torch_dtype(dtype)
        return torch.as_tensor(self.value, dtype=dtype) * torch.ones(tuple(shape), dtype=dtype)

    def get_config(self) -> dict:
        return {"value": serialize_keras_object(self.value)}

    @classmethod
    def from_config(cls, config: dict) -> Constant:
        return cls(deserialize_keras_object(config.get("value", 0.0)))


@keras_class("keras.initializers")
class Identity(Initializer):
    """`gain` times the identity matrix; only for 2D shapes (rectangular ones allowed).

    Args:
        gain: Factor applied to the identity matrix.
    """

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={tuple(shape)} of rank {len(shape)}.")
        return self.gain * torch.eye(*shape, dtype=torch_dtype(dtype))

    def get_config(self) -> dict:
        # Keras 3 omits `gain` here, so it is lost on reload; keeping it is still a valid
        # Keras config (the constructor takes it).
        return {"gain": self.gain}
