"""`Embedding`: integer ids -> rows of a trainable `embeddings` matrix."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau import constraints, initializers, ops, regularizers
from hocsau.layers._lora import LoraMixin, LoraWeight
from hocsau.layers.layer import Layer
from hocsau.quantizers.quantized_embedding import EmbeddingQuantization
from hocsau.saving.serialization import keras_class, serialize_keras_object


@keras_class("keras.layers")
class Embedding(EmbeddingQuantization, LoraMixin, Layer):
    """Turns ids of shape (batch, ...) into vectors of shape (batch, ..., output_dim).

    Args:
        input_dim: vocabulary size (largest id + 1).
        output_dim: size of each vector.
        embeddings_initializer / embeddings_regularizer / embeddings_constraint: for the
            `embeddings` weight of shape (input_dim, output_dim).
        mask_zero: id 0 is padding: the output carries a mask `ids != 0` that recurrent and
            attention layers honour (so id 0 cannot be a real token).
        weights: initial `[embeddings]` array. `input_length` (Keras 2) is accepted and ignored.
        quantization_config: the `QuantizationConfig` of a quantized layer (from files).
        lora_rank / lora_alpha: build with LoRA enabled (see `enable_lora`): the table is
            frozen and `embeddings + (lora_embeddings_a @ lora_embeddings_b) * (lora_alpha /
            lora_rank)` is looked up instead.
    """

    embeddings = LoraWeight()

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Argument `{arg}` must be a positive integer. "
                                 f"Received: {arg}={value!r}")
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.autocast = False  # ids stay exact: bfloat16 would round 999 to 1000 (as Keras)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self._init_lora(lora_rank, lora_alpha)
        self._init_quantization(quantization_config)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self._initial_weights = weights

    def build(self, input_shape=None):
        shape = (self.input_dim, self.output_dim)
        if self.quantization_mode:
            self.quantized_build(shape, self.quantization_mode, self.quantization_config)
        else:
            self.embeddings = self.add_weight(name="embeddings", shape=shape,
                                              initializer=self.embeddings_initializer,
                                              regularizer=self.embeddings_regularizer,
                                              constraint=self.embeddings_constraint)
        self.built = True
        self._build_lora()

    def call(self, inputs):
        if inputs.is_floating_point() or inputs.dtype == torch.bool:
            inputs = inputs.long()
        try:
            if self.lora_enabled:
                return self._lora_lookup(inputs)
            return F.embedding(inputs, self.embeddings)
        except IndexError:
            raise self._index_error(inputs) from None

    def _lora_lookup(self, ids: torch.Tensor) -> torch.Tensor:
        """The merged table's rows without building the table: `rows + (a rows @ b) * scale`
        (the vocabulary can be large, the batch's ids are few)."""
        update = torch.matmul(F.embedding(ids, self.lora_embeddings_a), self.lora_embeddings_b)
        rows = F.embedding(ids, self._embeddings) + update * (self.lora_alpha / self.lora_rank)
        return rows.to(self.dtype_policy.torch_compute_dtype)

    def _index_error(self, inputs: torch.Tensor) -> ValueError:
        # Built only after torch rejected an index, so correct batches pay nothing for it.
        bad = inputs[(inputs < 0) | (inputs >= self.input_dim)].unique().tolist()
        return ValueError(
            f"Embedding layer '{self.name}' has input_dim={self.input_dim}, so its inputs must be "
            f"integers from 0 to {self.input_dim - 1} (a vocabulary of {self.input_dim} tokens). "
            f"Received: indices {sorted(bad)[:10]}")

    def compute_mask(self, inputs, mask=None):
        # Keras's op, so a symbolic call records it as a graph operation, as Keras does.
        return ops.not_equal(inputs, 0) if self.mask_zero else None

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": serialize_keras_object(self.embeddings_initializer),
            "embeddings_regularizer": serialize_keras_object(self.embeddings_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "embeddings_constraint": serialize_keras_object(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": serialize_keras_object(self.quantization_config),
            **self._lora_config(),
        })
        return config
