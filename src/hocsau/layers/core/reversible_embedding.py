"""`ReversibleEmbedding`: an Embedding that also maps vectors back to logits over its ids."""

from __future__ import annotations

import torch

from hocsau import config as hocsau_config
from hocsau.layers.core.embedding import Embedding
from hocsau.models.symbolic import Spec
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class ReversibleEmbedding(Embedding):
    """`layer(ids)` embeds as `Embedding` does; `layer(vectors, reverse=True)` gives logits
    `vectors @ embeddings.T` (the output projection of a language model).

    Args:
        input_dim / output_dim / embeddings_* / mask_zero: as in `Embedding`.
        tie_weights: reuse `embeddings` transposed for the reverse projection; False adds a
            separate `reverse_embeddings` weight of shape (output_dim, input_dim).
        reverse_dtype: dtype the reverse matmul runs in (inputs and kernel cast to it).
        logit_soft_cap: if set, logits become `cap * tanh(logits / cap)`.
    """

    def __init__(self, input_dim, output_dim, tie_weights=True,
                 embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        if reverse_dtype is not None:
            hocsau_config.torch_dtype(reverse_dtype)  # an unknown name raises here
        if logit_soft_cap is not None and (isinstance(logit_soft_cap, bool) or not isinstance(
                logit_soft_cap, (int, float)) or logit_soft_cap <= 0):
            raise ValueError("Argument `logit_soft_cap` must be a positive number or None. "
                             f"Received: logit_soft_cap={logit_soft_cap!r}")
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None) -> None:
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(name="reverse_embeddings",
                                                      shape=(self.output_dim, self.input_dim),
                                                      initializer=self.embeddings_initializer)
        self.built = True

    def call(self, inputs, reverse=False):
        if not reverse:
            outputs = super().call(inputs)
            if self.mask_zero:  # set here: compute_mask cannot tell the two directions apart
                outputs._keras_mask = inputs != 0
            return outputs
        kernel = self.embeddings.T if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            dtype = hocsau_config.torch_dtype(self.reverse_dtype)
            inputs, kernel = inputs.to(dtype), kernel.to(dtype)
        logits = torch.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = torch.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return tuple(input_shape) + (self.output_dim,)

    def compute_output_spec(self, inputs, reverse=False):
        dtype = self.reverse_dtype if reverse and self.reverse_dtype else self.compute_dtype
        return Spec(self.compute_output_shape(tuple(inputs.shape), reverse), dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
