"""`Concatenate` and `concatenate`: tensors joined along one axis."""

from __future__ import annotations

import torch

from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Concatenate(Layer):
    """`Concatenate(axis=-1)([x1, x2, ...])`: all axes but `axis` must match.

    Masks are concatenated too (unmasked inputs count as all-true) and reduced over the last
    axis when the masks have the inputs' rank, as in Keras.
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def build(self, input_shape) -> None:
        if not isinstance(input_shape, (list, tuple)) or not input_shape \
                or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError("A `Concatenate` layer should be called on a list of at least 1 "
                             f"input. Received: input_shape={input_shape}")
        self.compute_output_shape(input_shape)  # raises on mismatched shapes
        self.built = True

    def call(self, inputs):
        return torch.cat(list(inputs), dim=self.axis)

    def compute_output_shape(self, input_shape):
        shapes = [list(s) for s in input_shape]
        rank = len(shapes[0])
        if rank and not -rank <= self.axis < rank:
            raise ValueError(f"Concatenate layer '{self.name}' got `axis={self.axis}`, but its "
                             f"inputs have rank {rank}, so `axis` should be in [-{rank}, {rank})"
                             f". Received: axis={self.axis}, input_shape={input_shape}")
        axis = self.axis % rank if rank else 0
        for shape in shapes[1:]:
            others = [d for i, d in enumerate(shape) if i != axis]
            expected = [d for i, d in enumerate(shapes[0]) if i != axis]
            if len(shape) != rank or any(a is not None and b is not None and a != b
                                         for a, b in zip(others, expected, strict=True)):
                raise ValueError("A `Concatenate` layer requires inputs with matching shapes "
                                 f"except for the concatenation axis. Received: input_shape="
                                 f"{[tuple(s) for s in input_shape]}")
        sizes = [s[axis] for s in shapes]
        output = list(shapes[0])
        output[axis] = None if None in sizes else sum(sizes)
        return tuple(output)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask, strict=True):
            if m is None:
                masks.append(torch.ones(x.shape, dtype=torch.bool, device=x.device))
            elif m.dim() < x.dim():
                masks.append(m.unsqueeze(-1).expand(x.shape))
            else:
                masks.append(m.bool())
        return torch.cat(masks, dim=self.axis).any(dim=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis: int = -1, **kwargs):
    """Functional form of `Concatenate`: `concatenate([x1, x2], axis=-1)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
