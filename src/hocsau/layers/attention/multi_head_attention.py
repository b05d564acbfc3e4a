"""`MultiHeadAttention`: scaled dot-product attention with several heads, Keras's weights."""

from __future__ import annotations

import math

import torch

from hocsau import constraints, initializers, regularizers
from hocsau import random as hocsau_random
from hocsau.layers.attention._projection import _Projection
from hocsau.layers.layer import Layer
from hocsau.ops._convert import tensor
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class MultiHeadAttention(Layer):
    """`MultiHeadAttention(num_heads, key_dim)(query, value, key=None, ...)`.

    Query, key and value are projected to `num_heads` heads (kernels `(dim, heads, key_dim)`,
    biases `(heads, key_dim)`, as Keras stores them), attention runs over `attention_axes`
    (default: every axis between batch and features), and the heads are projected back to the
    query's feature size (or `output_shape`). Masks: the query's, value's and key's Keras masks,
    `attention_mask` (batch, T, S) and `use_causal_mask` are combined with AND, as Keras does:
    query mask `(..., T, 1)`, value / key masks `(..., 1, S)`, causal mask `(1, T, S)` over
    axis 1. The result gains axes before its last `2 * len(attention_axes)` until it has the rank
    of the scores `(batch, non-attended axes..., heads, query axes..., key axes...)`, to which it
    must broadcast: with `attention_axes=(2,)` on `(B, X, T, F)` inputs, masks `(B, X, T)` and an
    `attention_mask` `(B, X, T, S)` or `(B, T, S)` apply per position along X.
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape=None,
                 attention_axes=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate: bool = False, seed=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        for name, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Received an invalid value for argument `{name}`, expected a "
                                 f"positive integer. Received: {name}={value}")
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self.dropout, self.use_bias, self.use_gate, self.seed = dropout, use_bias, use_gate, seed
        self.output_shape_arg = output_shape
        self.attention_axes = (attention_axes,) if isinstance(attention_axes, int) \
            else attention_axes
        self.flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True
        if dropout > 0:
            self.seed_generator = hocsau_random.SeedGenerator(seed)

    def _projection(self, in_dims, out_dims, name, activation=None) -> _Projection:
        def fresh(initializer):
            return type(initializer).from_config(initializer.get_config())

        return _Projection(in_dims, out_dims, self.use_bias, activation=activation, name=name,
                           kernel_initializer=fresh(self.kernel_initializer),
                           bias_initializer=fresh(self.bias_initializer),
                           kernel_regularizer=self.kernel_regularizer,
                           bias_regularizer=self.bias_regularizer,
                           kernel_constraint=self.kernel_constraint,
                           bias_constraint=self.bias_constraint, dtype=self.dtype_policy)

    def build(self, query_shape, value_shape, key_shape=None) -> None:
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be "
                             f"equal. Received: value_shape={value_shape} and "
                             f"key_shape={key_shape}")
        heads = self.num_heads
        self.query_dense = self._projection((query_shape[-1],), (heads, self.key_dim), "query")
        self.key_dense = self._projection((key_shape[-1],), (heads, self.key_dim), "key")
        if self.use_gate:
            self._gate_dense = self._projection((query_shape[-1],), (heads, self.value_dim),
                                                "gate", activation="sigmoid")
        self.value_dense = self._projection((value_shape[-1],), (heads, self.value_dim),
                                             "value")
        out = self.output_shape_arg or query_shape[-1]
        out = (out,) if isinstance(out, int) else tuple(out)
        self.output_dense = self._projection((heads, self.value_dim), out, "attention_output")
        rank = len(query_shape)
        axes = self.attention_axes or tuple(range(1, rank - 1))
        self._axes = tuple(a % rank if a < 0 else a for a in axes)
        self.built = True

    # Keras's private names of the projections (its files use the public ones, as here).
    _query_dense = property(lambda self: self.query_dense)
    _key_dense = property(lambda self: self.key_dense)
    _value_dense = property(lambda self: self.value_dense)
    _output_dense = property(lambda self: self.output_dense)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        key = value if key is None else key
        query_mask = getattr(query, "_keras_mask", None) if query_mask is None else query_mask
        value_mask = getattr(value, "_keras_mask", None) if value_mask is None else value_mask
        if key is not value and key_mask is None:
            key_mask = getattr(key, "_keras_mask", None)
        mask = _combined_mask(query, value, query_mask, value_mask, key_mask, attention_mask,
                              use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q, k, v = self.query_dense(query), self.key_dense(key), self.value_dense(value)
        # Keras takes its fused dot-product-attention path unless attention dropout, returned
        # scores or several attention axes rule it out; there a query row whose keys are all
        # masked attends uniformly to every key, on the softmax path it gets zeros.
        fused = not (self.dropout > 0 or return_attention_scores or q.dim() != 4)
        output, scores = self._attend(q, k, v, mask, training, zero_masked_rows=not fused)
        if gate is not None:
            output = output * gate
        output = self.output_dense(output)
        return (output, scores) if return_attention_scores else output

    def _attend(self, q, k, v, mask, training, zero_masked_rows=True):
        """(B, *T, N, H) projections -> (B, *T, N, Hv) and scores (B, *O, N, T..., S...)."""
        q, restore, score_shape = _fold(q, self._axes)
        k, _, key_shape = _fold(k, self._axes)
        v, _, _ = _fold(v, self._axes)
        q = q * (1.0 / math.sqrt(self.key_dim))
        scores = torch.einsum("bqnh,bknh->bnqk", q, k)  # (B', N, T, S)
        if mask is not None:
            keras_shape = score_shape[0] + (self.num_heads,) + score_shape[1] + key_shape[1]
            mask = self._fold_mask(mask, keras_shape, scores.shape)
            scores = scores.masked_fill(~mask, -3.0e4 if scores.dtype == torch.float16 else -1e9)
        weights = torch.softmax(scores, dim=-1)
        if mask is not None and zero_masked_rows:
            weights = weights.masked_fill(~mask, 0.0)
        dropped = weights
        if training and self.dropout > 0:
            dropped = hocsau_random.dropout(weights, self.dropout, seed=self.seed_generator)
        output = torch.einsum("bnqk,bknh->bqnh", dropped, v)
        batch_other = score_shape[0]
        scores_out = weights.reshape(batch_other + (self.num_heads,) + score_shape[1]
                                     + key_shape[1])
        return restore(output), scores_out

    def _fold_mask(self, mask, keras_shape, folded_shape):
        """Keras's broadcast of a mask onto the scores, then folded like them: (B', N|1, T, S)."""
        rank, before = len(keras_shape), 2 * len(self._axes) + 1
        while mask.dim() < rank and mask.dim() >= before - 1:
            mask = mask.unsqueeze(-before)
        if mask.dim() != rank or any(m not in (1, k) for m, k in zip(mask.shape, keras_shape,
                                                                       strict=True)):
            raise ValueError(f"MultiHeadAttention '{self.name}': the attention mask does not "
                             f"broadcast to the attention scores of shape {keras_shape} (batch "
                             "and non-attended axes, heads, query axes, key axes) with "
                             f"attention_axes={self._axes}. Received: mask.shape="
                             f"{tuple(mask.shape)}")
        heads = rank - 1 - 2 * len(self._axes)
        target = keras_shape[:heads] + (mask.shape[heads],) + keras_shape[heads + 1:]
        return mask.expand(target).reshape(folded_shape[0], target[heads], *folded_shape[2:])

    def compute_mask(self, inputs, mask=None):
        return mask[0] if isinstance(mask, (list, tuple)) else mask

    def get_config(self) -> dict:
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout,
                "use_bias": self.use_bias, "use_gate": self.use_gate,
                "output_shape": self.output_shape_arg,
                "attention_axes": self.attention_axes, "sliding_window": None,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "seed": self.seed}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if config.pop("sliding_window", None) is not None:
            raise ValueError("MultiHeadAttention: `sliding_window` is not supported. Received: "
                             f"sliding_window={config.get('sliding_window')}")
        return cls(**config)


def _fold(x, axes):
    """(B, *D, N, H) -> (B * prod(other axes), prod(attended axes), N, H), and its inverse."""
    inner = list(range(1, x.dim() - 2))
    others = [a for a in inner if a not in axes]
    order = [0, *others, *axes, x.dim() - 2, x.dim() - 1]
    moved = x.permute(order)
    batch_other = tuple(moved.shape[:1 + len(others)])
    attended = tuple(moved.shape[1 + len(others):-2])
    folded = moved.reshape(math.prod(batch_other), math.prod(attended), *x.shape[-2:])

    def restore(y):
        y = y.reshape(batch_other + attended + tuple(y.shape[-2:]))
        return y.permute([order.index(i) for i in range(len(order))])

    return folded, restore, (batch_other, attended)


def _combined_mask(query, value, query_mask, value_mask, key_mask, attention_mask, causal):
    """Keras's rule: query mask (B, T, 1) & value / key masks (B, 1, S) & causal & given mask."""
    mask = None

    def both(a, b):
        return b if a is None else a & b

    def as_bool(m):  # masks may come as numpy arrays or lists, as Keras accepts
        return tensor(m).to(query.device).bool()

    if query_mask is not None:
        mask = as_bool(query_mask)[..., :, None]
    for m in (value_mask, key_mask):
        if m is not None:
            mask = both(mask, as_bool(m)[..., None, :])
    if causal:
        t, s = query.shape[1], value.shape[1]
        mask = both(mask, torch.ones(t, s, dtype=torch.bool, device=query.device).tril()[None])
    if attention_mask is not None:
        mask = both(mask, as_bool(attention_mask))
    return mask
