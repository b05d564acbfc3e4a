"""`AdditiveAttention`: Bahdanau-style attention, `sum(scale * tanh(query + key))` scores."""

from __future__ import annotations

import torch

from hocsau.layers.attention.attention import Attention
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class AdditiveAttention(Attention):
    """`AdditiveAttention()([query, value(, key)])`; `scale` is a learned vector of the feature
    size (glorot-uniform) when `use_scale`. Masks, dropout and scores as in `Attention`."""

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                         initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        summed = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        return (summed * self.scale if self.scale is not None else summed).sum(dim=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
