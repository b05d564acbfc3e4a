"""`Average` and `average`: the element-wise mean of several tensors."""

from __future__ import annotations

import functools

import torch

from hocsau.layers.merging._merge import Merge
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Average(Merge):
    """`Average()([x1, x2, ...])`: the mean of same-shaped (or broadcastable) tensors."""

    def _merge_function(self, inputs):
        return functools.reduce(torch.add, inputs) / len(inputs)


def average(inputs, **kwargs):
    """Functional form of `Average`: `average([x1, x2])`."""
    return Average(**kwargs)(inputs)
