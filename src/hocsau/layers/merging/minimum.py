"""`Minimum` and `minimum`: the element-wise minimum of several tensors."""

from __future__ import annotations

import torch

from hocsau.layers.merging._merge import Merge, masked_extreme
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Minimum(Merge):
    """`Minimum()([x1, x2, ...])`; masked entries never win over unmasked ones."""

    def _merge_function(self, inputs):
        return masked_extreme(inputs, torch.minimum)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`: `minimum([x1, x2])`."""
    return Minimum(**kwargs)(inputs)
