"""`Maximum` and `maximum`: the element-wise maximum of several tensors."""

from __future__ import annotations

import torch

from hocsau.layers.merging._merge import Merge, masked_extreme
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Maximum(Merge):
    """`Maximum()([x1, x2, ...])`; masked entries never win over unmasked ones."""

    def _merge_function(self, inputs):
        return masked_extreme(inputs, torch.maximum)


def maximum(inputs, **kwargs):
    """Functional form of `Maximum`: `maximum([x1, x2])`."""
    return Maximum(**kwargs)(inputs)
