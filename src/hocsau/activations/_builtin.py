"""The registry of built-in activations and the tensor conversion they share."""

from __future__ import annotations

from collections.abc import Callable

import torch

from hocsau.ops.dispatch import op

BUILTINS: dict[str, Callable] = {}


def builtin(fn: Callable) -> Callable:
    """Register `fn` as a built-in activation.

    Keras serializes its built-in functions as `{"module": "builtins", "class_name":
    "function", "config": name}` and finds them again by name, so the tag says the same.
    Like Keras's, they also apply to the symbolic tensors of a functional model
    (`keras.activations.swish(x)` between layers), recording a graph node.
    """
    fn = op(fn)
    fn._keras_module = "builtins"
    BUILTINS[fn.__name__] = fn
    return fn


def as_tensor(x) -> torch.Tensor:
    """`x` itself when it is a tensor, else a tensor made from the array-like."""
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(x)
