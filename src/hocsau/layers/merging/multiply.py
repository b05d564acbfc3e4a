"""`Multiply` and `multiply`: the element-wise product of several tensors."""

from __future__ import annotations

import functools

import torch

from hocsau.layers.merging._merge import Merge
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Multiply(Merge):
    """`Multiply()([x1, x2, ...])`: the product of same-shaped (or broadcastable) tensors."""

    def _merge_function(self, inputs):
        return functools.reduce(torch.mul, inputs)


def multiply(inputs, **kwargs):
    """Functional form of `Multiply`: `multiply([x1, x2])`."""
    return Multiply(**kwargs)(inputs)
