"""Weight initializers with Keras's names, configs and (for seeded ones) Keras's values.

An initializer is called as `init(shape, dtype=None)` and returns a CPU tensor; `get`
accepts a name ("glorot_uniform", "he_normal", "uniform", ...), a serialized dict, a class,
an instance, a plain callable `fn(shape, dtype=None)`, or an array holding the values.
"""

from __future__ import annotations

import numpy as np
import torch

from hocsau.config import torch_dtype
from hocsau.initializers._lookup import family_functions
from hocsau.initializers.constant import Constant, Identity, Ones, Zeros
from hocsau.initializers.initializer import Initializer
from hocsau.initializers.orthogonal import Orthogonal
from hocsau.initializers.presets import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
)
from hocsau.initializers.random import RandomNormal, RandomUniform, TruncatedNormal
from hocsau.initializers.stft import STFT
from hocsau.initializers.variance_scaling import VarianceScaling, compute_fans
from hocsau.saving.serialization import serialize_keras_object
from hocsau.utils.naming import to_snake_case

_CLASSES = (Constant, Identity, Ones, Zeros, STFT, GlorotNormal, GlorotUniform, HeNormal,
            HeUniform, LecunNormal, LecunUniform, Orthogonal, RandomNormal, RandomUniform,
            TruncatedNormal, VarianceScaling)

ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT |= {to_snake_case(cls.__name__): cls for cls in _CLASSES}
ALL_OBJECTS_DICT |= {"IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
                     "STFTInitializer": STFT, "normal": RandomNormal, "uniform": RandomUniform,
                     "one": Ones, "zero": Zeros}

# Keras's lowercase aliases of the classes.
constant, identity, ones, zeros, stft = Constant, Identity, Ones, Zeros, STFT
glorot_normal, glorot_uniform = GlorotNormal, GlorotUniform
he_normal, he_uniform = HeNormal, HeUniform
lecun_normal, lecun_uniform, orthogonal = LecunNormal, LecunUniform, Orthogonal
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling = VarianceScaling
IdentityInitializer, OrthogonalInitializer, STFTInitializer = Identity, Orthogonal, STFT


def serialize(initializer):
    """An initializer as a Keras config dict."""
    return serialize_keras_object(initializer)


deserialize, _get = family_functions("initializer", ALL_OBJECTS_DICT)


def get(identifier):
    """Resolve `identifier` to a callable `(shape, dtype=None) -> tensor`; None stays None."""
    if isinstance(identifier, (torch.Tensor, np.ndarray, np.generic)):
        return _from_values(identifier)
    return _get(identifier)


def _from_values(values):
    """An initializer returning `values` (cast to the dtype asked for); the shape must match."""

    def initialize(shape, dtype=None) -> torch.Tensor:
        if tuple(shape) != tuple(values.shape):
            raise ValueError(f"Expected `shape` to be {tuple(values.shape)} for direct tensor "
                             f"as initializer. Received shape={tuple(shape)}")
        return torch.as_tensor(values).detach().to("cpu", torch_dtype(dtype)).clone()

    return initialize


__all__ = [
    "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity",
    "IdentityInitializer", "Initializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal",
    "OrthogonalInitializer", "RandomNormal", "RandomUniform", "STFT", "STFTInitializer",
    "TruncatedNormal", "VarianceScaling", "Zeros", "compute_fans", "constant", "deserialize",
    "get", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity",
    "lecun_normal", "lecun_uniform", "ones", "orthogonal", "random_normal", "random_uniform",
    "serialize", "stft", "truncated_normal", "variance_scaling", "zeros",
]
