"""`hocsau.backend`: Keras 3's `keras.backend` helpers, plus tf.keras 2's backend functions.

The Keras 3 names (`floatx`, `result_type`, `clear_session`, ...) behave as in Keras. The
tf.keras 2 functions that Keras 3 dropped (`K.dot`, `K.sum`, `K.int_shape`, `K.variable`,
`K.rnn`, ...) are a documented hocsau extension for Keras 1 / tf.keras 2 code: thin maps onto
torch with TensorFlow's semantics, working on symbolic tensors of functional graphs too.
"""

from __future__ import annotations

import gc

from hocsau.backend.dtypes import is_float_dtype, is_int_dtype, result_type, standardize_dtype
from hocsau.backend.legacy_array import *  # noqa: F403 - lists in the submodules
from hocsau.backend.legacy_control import *  # noqa: F403
from hocsau.backend.legacy_conv import *  # noqa: F403
from hocsau.backend.legacy_math import *  # noqa: F403
from hocsau.backend.legacy_nn import *  # noqa: F403
from hocsau.backend.legacy_state import *  # noqa: F403
from hocsau.backend.name_scope import name_scope
from hocsau.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from hocsau.utils import naming


def clear_session(free_memory: bool = True) -> None:
    """Forget default layer names (dense, dense_1, ... start again) and free memory."""
    naming.reset_names()
    if free_memory:
        gc.collect()


def get_uid(prefix: str = "") -> int:
    """A counter per prefix: 1, 2, ... (shared with default layer names)."""
    return naming.get_uid(prefix)


def is_keras_tensor(x) -> bool:
    """Whether `x` is a symbolic tensor (from `Input` or a layer call on one)."""
    return getattr(type(x), "_is_symbolic", False)


def _legacy_names() -> list[str]:
    from hocsau.backend import (
        legacy_array,
        legacy_control,
        legacy_conv,
        legacy_math,
        legacy_nn,
        legacy_state,
    )

    modules = (legacy_array, legacy_control, legacy_conv, legacy_math, legacy_nn, legacy_state)
    return [name for module in modules for name in module.__all__]


__all__ = ["backend", "clear_session", "epsilon", "floatx", "get_uid", "image_data_format",
           "is_float_dtype", "is_int_dtype", "is_keras_tensor", "name_scope", "result_type",
           "set_epsilon", "set_floatx", "set_image_data_format", "standardize_dtype"]
__all__ += _legacy_names()
