"""`Add` and `add`: the element-wise sum of several tensors."""

from __future__ import annotations

import functools

import torch

from hocsau.layers.merging._merge import Merge
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Add(Merge):
    """`Add()([x1, x2, ...])`: the sum of same-shaped (or broadcastable) tensors."""

    def _merge_function(self, inputs):
        return functools.reduce(torch.add, inputs)


def add(inputs, **kwargs):
    """Functional form of `Add`: `add([x1, x2])`."""
    return Add(**kwargs)(inputs)
