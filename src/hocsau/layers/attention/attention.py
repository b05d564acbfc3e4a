"""`Attention`: dot-product (Luong) or concat attention over a query and a value sequence."""

from __future__ import annotations

import torch

from hocsau import random as hocsau_random
from hocsau.layers.layer import Layer
from hocsau.ops._convert import tensor
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Attention(Layer):
    """`Attention()([query, value])` or `([query, value, key])` -> (batch, Tq, dim).

    Scores are `query . key` (`score_mode="dot"`, times a learned `scale` with `use_scale`) or
    `concat_score_weight * sum(tanh(scale * (query + key)))` (`"concat"`); masked value steps
    (a value mask, `use_causal_mask`) get no weight; masked query steps output zeros; with
    `return_attention_scores=True` the softmax weights come back too.

    Args:
        use_scale: Learn a scalar scale for the scores.
        score_mode: "dot" or "concat".
        dropout: Fraction of the attention weights dropped in training.
        seed: Seed of the dropout.
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', "
                             f"'concat'}}. Received: score_mode={score_mode}")
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self.supports_masking = True
        self.scale = None
        self.concat_score_weight = None
        if dropout > 0:
            self.seed_generator = hocsau_random.SeedGenerator(seed)

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape)
        if all(isinstance(shape, (list, tuple)) for shape in input_shape):
            self._check_shapes([tuple(shape) for shape in input_shape])
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-2, -1))
            return scores * self.scale if self.scale is not None else scores
        summed = query.unsqueeze(-2) + key.unsqueeze(-3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * torch.tanh(summed).sum(dim=-1)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = _as_mask(mask[0], query) if mask else None
        value_mask = _as_mask(mask[1], query) if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = _score_mask(scores, value_mask, use_causal_mask)
        if scores_mask is not None:
            big = 65504.0 if scores.dtype == torch.float16 else 1.0e9
            scores = torch.where(scores_mask, scores, scores - big)
        weights = torch.softmax(scores, dim=-1)
        if training and self.dropout > 0:
            weights = hocsau_random.dropout(weights, self.dropout, seed=self.seed_generator)
        output = torch.matmul(weights, value)
        if query_mask is not None:
            output = torch.where(query_mask.unsqueeze(-1), output, 0.0)
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def _explain_input_error(self, inputs) -> None:
        super()._explain_input_error(inputs)
        if isinstance(inputs, (list, tuple)):
            self._check_shapes([tuple(t.shape) for t in inputs])

    def _check_shapes(self, shapes: list) -> None:
        """Query and key share their feature size; key and value their number of steps."""
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) > 2 else value
        pairs = (("query", query, -1, "key", key, -1), ("key", key, -2, "value", value, -2))
        for name_a, a, axis_a, name_b, b, axis_b in pairs:
            if len(a) >= 2 and len(b) >= 2 and None not in (a[axis_a], b[axis_b]) \
                    and a[axis_a] != b[axis_b]:
                what = "features (last axis)" if axis_a == -1 else "steps (axis -2)"
                raise ValueError(
                    f"{type(self).__name__} layer '{self.name}' needs {name_a} and {name_b} "
                    f"with the same number of {what}. Received: {name_a}.shape={a}, "
                    f"{name_b}.shape={b}")

    def _validate_inputs(self, inputs, mask=None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            shown = f"a tensor of shape {tuple(inputs.shape)}" if hasattr(inputs, "shape") \
                else repr(inputs)
            raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, "
                             f"value] or [query, value, key]. Received: inputs={shown}.")
        if mask is not None and (not isinstance(mask, (list, tuple))
                                 or not 2 <= len(mask) <= 3):
            raise ValueError(f"{name} layer mask must be a list, namely [query_mask, "
                             f"value_mask]. Received: mask={mask}.")

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


def _as_mask(mask, like: torch.Tensor):
    """A boolean mask on `like`'s device; Keras also takes numpy arrays and lists."""
    return None if mask is None else tensor(mask).to(like.device).bool()


def _score_mask(scores, value_mask, use_causal_mask: bool):
    """Where scores count: (batch, 1, Tv) from the value mask, AND a causal (Tq, Tv) band."""
    mask = value_mask.unsqueeze(-2) if value_mask is not None else None
    if use_causal_mask:
        tq, tv = scores.shape[-2:]
        causal = torch.ones(tq, tv, dtype=torch.bool, device=scores.device).tril()[None]
        mask = causal if mask is None else mask & causal
    return mask
