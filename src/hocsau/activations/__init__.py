"""Activation functions with Keras's names, arguments and numerics, on torch tensors.

`get` turns an identifier (None, a name, a serialized dict or a callable) into a function;
`serialize` gives built-ins as their bare name, exactly as Keras writes them into configs.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from hocsau.activations._builtin import BUILTINS
from hocsau.activations.normalizing import glu, log_softmax, softmax, sparsemax
from hocsau.activations.rectifiers import (
    celu,
    elu,
    gelu,
    hard_silu,
    leaky_relu,
    mish,
    relu,
    relu6,
    selu,
    silu,
)
from hocsau.activations.shrinkage import hard_shrink, soft_shrink, tanh_shrink, threshold
from hocsau.activations.smooth import (
    exponential,
    linear,
    softplus,
    softsign,
    sparse_plus,
    squareplus,
)
from hocsau.activations.squashing import (
    hard_sigmoid,
    hard_tanh,
    log_sigmoid,
    sigmoid,
    sparse_sigmoid,
    tanh,
)
from hocsau.initializers._lookup import family_functions
from hocsau.saving.serialization import serialize_keras_object

swish = silu
hard_swish = hard_silu

ALL_OBJECTS_DICT: dict[str, Callable] = {**BUILTINS, "swish": silu, "hard_swish": hard_silu}


def serialize(activation: Callable):
    """A built-in's name ("relu"); anything else as its serialized dict."""
    name = getattr(activation, "__name__", None)
    if BUILTINS.get(name) is activation:
        return name
    config = serialize_keras_object(activation)
    if not isinstance(config, dict) or "config" not in config:
        raise ValueError(f"Cannot serialize activation {activation!r}: register it with "
                         f"`register_keras_serializable()`. Received: config={config}")
    return config


deserialize, _get = family_functions("activation", ALL_OBJECTS_DICT)


def get(identifier) -> Callable:
    """None -> `linear`; a name or serialized dict -> that function; a callable as is."""
    return linear if identifier is None else _get(identifier)


def apply_to_fresh(activation: Callable, x, layout: Callable | None = None):
    """`activation(layout(x))` for an `x` the caller has just computed and owns (a layer's
    affine output, which its producer does not keep for the backward pass).

    ReLU then works in place, saving a buffer and a pass over memory; being elementwise, it
    runs before `layout` (a view such as channels_first -> channels_last), since autograd
    would pay for an in-place change of a view with a copy of its base. Other activations run
    as usual, on the laid-out tensor. So does ReLU in a compiled step (which fuses it anyway,
    and cannot trace `_is_view`).
    """
    if activation is relu and not torch.compiler.is_compiling() and not (
            x.requires_grad and x._is_view()):
        x = x.relu_()
        return x if layout is None else layout(x)
    return activation(x if layout is None else layout(x))


__all__ = [
    "apply_to_fresh", "celu", "deserialize", "elu", "exponential", "gelu", "get", "glu",
    "hard_shrink",
    "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh", "leaky_relu", "linear",
    "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu", "serialize", "sigmoid",
    "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
    "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink", "threshold",
]
