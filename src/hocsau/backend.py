"""`hocsau.backend`: the Keras backend helpers that still make sense on a single backend."""

from __future__ import annotations

import gc

from hocsau.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    standardize_dtype,
)
from hocsau.utils import naming


def clear_session(free_memory: bool = True) -> None:
    """Forget default layer names (dense, dense_1, ... start again) and free memory."""
    naming.reset_names()
    if free_memory:
        gc.collect()


def is_keras_tensor(value) -> bool:
    """Whether `value` is a symbolic tensor (from `Input` or a layer call on one)."""
    return getattr(type(value), "_is_symbolic", False)


__all__ = ["backend", "clear_session", "epsilon", "floatx", "image_data_format",
           "is_keras_tensor", "set_epsilon", "set_floatx", "set_image_data_format",
           "standardize_dtype"]
