"""`GlobalAveragePooling1D`: the mean over the steps of each feature, honouring a mask."""

from __future__ import annotations

import torch

from hocsau.layers.pooling._base_global_pooling import BaseGlobalPooling
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global average pooling of temporal data (Keras alias `GlobalAvgPool1D`).

    Channels-last inputs are (batch, steps, features); the output is (batch, features), or
    (batch, 1, features) with `keepdims=True`. A mask of shape (batch, steps) (e.g. from
    `Embedding(mask_zero=True)`) leaves masked steps out of the mean; the output has no mask.

    Args:
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
        keepdims: keep the steps axis with length 1.
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, rank=1, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return inputs.mean(dim=self._axes, keepdim=self.keepdims)
        mask = torch.as_tensor(mask, device=inputs.device).bool()
        mask = mask.unsqueeze(2 if self._axes == (1,) else 1)
        total = torch.where(mask, inputs, 0).sum(dim=self._axes, keepdim=self.keepdims)
        return total / mask.to(inputs.dtype).sum(dim=self._axes, keepdim=self.keepdims)

    def compute_mask(self, inputs, previous_mask=None):
        return None
