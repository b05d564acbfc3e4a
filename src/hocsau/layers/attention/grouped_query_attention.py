"""`GroupedQueryAttention` (public name `GroupQueryAttention`, as in Keras): attention where
groups of query heads share key/value heads."""

from __future__ import annotations

import math

import torch

from hocsau import config, constraints, initializers, ops, regularizers
from hocsau import random as hocsau_random
from hocsau.layers.attention.multi_head_attention import _combined_mask
from hocsau.layers.core.einsum_dense import EinsumDense
from hocsau.layers.layer import Layer
from hocsau.models.symbolic import Spec
from hocsau.saving.serialization import builtin_classes, keras_class

# Keras exports this class as `keras.layers.GroupQueryAttention` but names it
# GroupedQueryAttention, which gives its default layer name and its path in weight files. Files
# written here name its source module, which Keras imports it from; Keras's files name the
# public alias, registered below.
_KERAS_SOURCE = "keras.src.layers.attention.grouped_query_attention"


@keras_class(_KERAS_SOURCE)
class GroupedQueryAttention(Layer):
    """`GroupQueryAttention(head_dim, num_query_heads, num_key_value_heads)(query, value)`.

    Grouped-query attention (Ainslie et al., 2023) on (batch, length, features) inputs: query is
    projected to `num_query_heads` heads, key and value to `num_key_value_heads` heads, each key
    / value head serves `num_query_heads // num_key_value_heads` query heads, and the heads are
    projected back to the query's feature size. Sublayers and weights follow Keras
    (`_query_dense`, `_key_dense`, [`_gate_dense`], `_value_dense`, `_output_dense`, named
    query / key / gate / value / attention_output). Masks: the query's, value's and key's
    Keras masks, `attention_mask` (batch, T, S), `use_causal_mask` and `sliding_window` are
    combined with AND.

    As in Keras, without dropout and without `return_attention_scores` the heads go through
    fused scaled dot-product attention (a fully masked query row then averages every value);
    otherwise through an explicit softmax whose masked weights are zero.

    Args:
        head_dim: size of each head.
        num_query_heads / num_key_value_heads: head counts; the first a multiple of the second.
        dropout: dropout rate on the attention weights in training.
        use_bias: whether the projections have biases.
        sliding_window: if set, a query attends only to keys less than this many steps away.
        flash_attention: True requires PyTorch's flash kernel (no dropout, no scores then);
            None lets PyTorch choose.
        use_gate: multiply the heads by a sigmoid gate projected from the query.
        kernel_* / bias_*: initializers, regularizers and constraints of the projections.
        seed: seed of the dropout.
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        _check_arguments(head_dim, num_query_heads, num_key_value_heads, dropout,
                         sliding_window, flash_attention)
        self.head_dim, self.num_query_heads = head_dim, num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout, self.use_bias, self.use_gate, self.seed = dropout, use_bias, use_gate, seed
        self.sliding_window = sliding_window
        self._scale = 1.0 / math.sqrt(float(head_dim))
        # As in Keras: unless asked for, the global switch (None: PyTorch's choice; False after
        # `config.disable_flash_attention()`: never the flash kernel).
        self._flash_attention = flash_attention or config.is_flash_attention_enabled()
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True
        if dropout > 0:
            self.seed_generator = hocsau_random.SeedGenerator(seed)

    def _projection(self, equation, heads, bias_axes, name, activation=None) -> EinsumDense:
        def fresh(initializer):
            return type(initializer).from_config(initializer.get_config())

        return EinsumDense(equation, output_shape=(None, *heads), activation=activation,
                           bias_axes=bias_axes if self.use_bias else None, name=name,
                           kernel_initializer=fresh(self.kernel_initializer),
                           bias_initializer=fresh(self.bias_initializer),
                           kernel_regularizer=self.kernel_regularizer,
                           bias_regularizer=self.bias_regularizer,
                           activity_regularizer=self.activity_regularizer,
                           kernel_constraint=self.kernel_constraint,
                           bias_constraint=self.bias_constraint, dtype=self.dtype_policy)

    def build(self, query_shape, value_shape, key_shape=None) -> None:
        key_shape = value_shape if key_shape is None else key_shape
        _check_shapes(query_shape, value_shape, key_shape, same_features=False)
        self.feature_dim = query_shape[-1]
        query_heads = (self.num_query_heads, self.head_dim)
        kv_heads = (self.num_key_value_heads, self.head_dim)
        self._query_dense = self._projection("bqm,muh->bquh", query_heads, "uh", "query")
        self._query_dense.build(query_shape)
        self._key_dense = self._projection("bkm,mvh->bkvh", kv_heads, "vh", "key")
        self._key_dense.build(key_shape)
        if self.use_gate:
            self._gate_dense = self._projection("bqm,muh->bquh", query_heads, "uh", "gate",
                                                activation="sigmoid")
            self._gate_dense.build(query_shape)
        self._value_dense = self._projection("bkm,mvh->bkvh", kv_heads, "vh", "value")
        self._value_dense.build(value_shape)
        self._output_dense = self._projection("bquh,uhm->bqm", (self.feature_dim,), "m",
                                              "attention_output")
        self._output_dense.build((None, None, *query_heads))
        self.built = True

    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        key = value if key is None else key
        query_mask = getattr(query, "_keras_mask", None) if query_mask is None else query_mask
        value_mask = getattr(value, "_keras_mask", None) if value_mask is None else value_mask
        if key is not value and key_mask is None:
            key_mask = getattr(key, "_keras_mask", None)
        fused = not return_attention_scores and self.dropout == 0
        # Causal masking alone goes to PyTorch's causal kernel, with no (T, S) mask built.
        causal_only = fused and use_causal_mask and self.sliding_window is None and all(
            m is None for m in (query_mask, value_mask, key_mask, attention_mask))
        mask = None if causal_only else _combined_mask(
            query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask)
        if self.sliding_window is not None:
            mask = _and(mask, self._window_mask(query.shape[1], value.shape[1], query.device))
        gate = self._gate_dense(query) if self.use_gate else None
        q, k, v = self._query_dense(query), self._key_dense(key), self._value_dense(value)
        k = k.repeat_interleave(self.num_repeats, dim=2)
        v = v.repeat_interleave(self.num_repeats, dim=2)
        if fused:
            output, scores = self._fused(q, k, v, mask, causal_only), None
        else:
            output, scores = self._explicit(q, k, v, mask, training, return_attention_scores)
        output = self._output_dense(output if gate is None else output * gate)
        return (output, scores) if return_attention_scores else output

    def _window_mask(self, length, source, device) -> torch.Tensor:
        rows = torch.arange(length, device=device)[:, None]
        cols = torch.arange(source, device=device)[None, :]
        return ((rows - cols).abs() < self.sliding_window)[None]

    def _fused(self, q, k, v, mask, causal) -> torch.Tensor:
        """(B, T, N, H) heads -> (B, T, N, H) through scaled dot-product attention; masked
        logits get a large negative value, so a fully masked row averages every value."""
        mask = mask[:, None] if mask is not None and mask.dim() == 3 else mask
        return ops.dot_product_attention(q, k, v, mask=mask, scale=self._scale, is_causal=causal,
                                         flash_attention=self._flash_attention)

    def _explicit(self, q, k, v, mask, training, return_scores):
        """(B, T, N, H) heads -> output and (B, N, T, S) weights, zero where masked."""
        if self._flash_attention and return_scores:
            raise ValueError("Returning attention scores is not supported when flash attention "
                             "is enabled. Please disable flash attention to access attention "
                             "scores. Received: return_attention_scores=True")
        scores = torch.einsum("bquh,bkuh->buqk", q * self._scale, k)
        if mask is not None:
            mask = mask[:, None] if mask.dim() == 3 else mask
            scores = scores.masked_fill(~mask, -3.0e4 if scores.dtype == torch.float16 else -1e9)
        weights = torch.softmax(scores, dim=-1)
        if mask is not None:
            weights = weights.masked_fill(~mask, 0.0)
        dropped = weights
        if training and self.dropout > 0:
            dropped = hocsau_random.dropout(weights, self.dropout, seed=self.seed_generator)
        return torch.einsum("buqk,bkuh->bquh", dropped, v), weights

    def compute_mask(self, inputs, mask=None):
        return mask[0] if isinstance(mask, (list, tuple)) else mask

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        _check_shapes(query_shape, value_shape, key_shape, same_features=True)
        return tuple(query_shape)

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None,
                            key_mask=None, attention_mask=None, return_attention_scores=False,
                            training=None, use_causal_mask=False):
        key_shape = None if key is None else tuple(key.shape)
        output = Spec(self.compute_output_shape(tuple(query.shape), tuple(value.shape),
                                                key_shape), self.compute_dtype)
        if not return_attention_scores:
            return output
        source = (value if key is None else key).shape[1]
        scores = (query.shape[0], self.num_query_heads, query.shape[1], source)
        return output, Spec(scores, self.compute_dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
                "use_gate": self.use_gate, "sliding_window": self.sliding_window,
                "dropout": self.dropout,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "seed": self.seed}


builtin_classes("keras.layers")["GroupQueryAttention"] = GroupedQueryAttention


def _and(mask, other):
    return other if mask is None else mask & other


def _check_arguments(head_dim, query_heads, kv_heads, dropout, sliding_window, flash) -> None:
    for name, value in (("head_dim", head_dim), ("num_query_heads", query_heads),
                        ("num_key_value_heads", kv_heads)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"Argument `{name}` must be a positive integer. "
                             f"Received: {name}={value!r}")
    if query_heads % kv_heads:
        raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`. "
                         f"Received: num_query_heads={query_heads}, "
                         f"num_key_value_heads={kv_heads}")
    if not 0 <= dropout < 1:
        raise ValueError(f"Argument `dropout` must be in [0, 1). Received: dropout={dropout}")
    if sliding_window is not None and (isinstance(sliding_window, bool) or not isinstance(
            sliding_window, int) or sliding_window <= 0):
        raise ValueError("`sliding_window` must be `None` or a positive integer. "
                         f"Received: sliding_window={sliding_window}")
    if flash and dropout > 0:
        raise ValueError("Dropout is not supported when flash attention is enabled. Please set "
                         f"dropout to 0.0 to use flash attention. Received: dropout={dropout}")


def _check_shapes(query_shape, value_shape, key_shape, same_features: bool) -> None:
    """Keras checks equal query / value features only for output shapes (symbolic calls)."""
    if len(query_shape) != 3:
        raise ValueError("GroupQueryAttention takes (batch, length, features) inputs. "
                         f"Received: query_shape={tuple(query_shape)}")
    if same_features and query_shape[-1] != value_shape[-1]:
        raise ValueError("The last dimension of `query_shape` and `value_shape` must be equal, "
                         f"but are {query_shape[-1]}, {value_shape[-1]}. Received: "
                         f"query_shape={tuple(query_shape)}, value_shape={tuple(value_shape)}")
    if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
        raise ValueError("All dimensions of `value` and `key`, except the last one, must be "
                         f"equal. Received: value_shape={tuple(value_shape)} and "
                         f"key_shape={tuple(key_shape)}")
