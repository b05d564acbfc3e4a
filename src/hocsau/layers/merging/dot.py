"""`Dot` and `dot`: the batch-wise dot product of two tensors."""

from __future__ import annotations

import math

import torch

from hocsau.layers.layer import Layer
from hocsau.ops.nn_norm import normalize as _l2_normalize
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Dot(Layer):
    """`Dot(axes)([x1, x2])`: sums the products over `axes` for each sample.

    `(batch, n, d) . (batch, m, d)` with `axes=2` gives `(batch, n, m)`; a result with only the
    batch axis left gets a trailing axis of size 1. With `normalize=True` both inputs are
    L2-normalized along their axes first, so the result is a cosine similarity.
    """

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int) and not (isinstance(axes, (list, tuple)) and len(axes) == 2
                                              and all(isinstance(a, int) for a in axes)):
            raise TypeError("Invalid type for argument `axes`: it should be an int or a list / "
                            f"tuple of 2 ints. Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _resolved_axes(self, shape1, shape2) -> tuple[int, int]:
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else tuple(self.axes)
        if isinstance(self.axes, int) and self.axes >= 0:
            return axes
        return axes[0] % len(shape1), axes[1] % len(shape2)

    def build(self, input_shape) -> None:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 \
                or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. "
                             f"Received: input_shape={input_shape}")
        a1, a2 = self._resolved_axes(input_shape[0], input_shape[1])
        d1, d2 = input_shape[0][a1], input_shape[1][a2]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"Incompatible input shapes: axis values {d1} (at axis {a1}) != "
                             f"{d2} (at axis {a2}). Full input shapes: {input_shape[0]}, "
                             f"{input_shape[1]}")
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError("A `Dot` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={inputs}")
        x1, x2 = inputs
        a1, a2 = self._resolved_axes(x1.shape, x2.shape)
        if self.normalize:
            x1, x2 = _l2_normalize(x1, axis=a1), _l2_normalize(x2, axis=a2)
        return batch_dot(x1, x2, (a1, a2))

    def compute_output_shape(self, input_shape):
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        a1, a2 = self._resolved_axes(shape1, shape2)
        shape1.pop(a1)
        shape2.pop(a2)
        output = shape1 + shape2[1:]
        return tuple(output + [1] if len(output) == 1 else output)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def batch_dot(x: torch.Tensor, y: torch.Tensor, axes: tuple[int, int]) -> torch.Tensor:
    """Per-sample contraction of `x`'s axis `axes[0]` with `y`'s axis `axes[1]` (one bmm)."""
    x = x.movedim(axes[0], -1)
    y = y.movedim(axes[1], 1)
    batch, size = x.shape[0], x.shape[-1]
    left, right = x.shape[1:-1], y.shape[2:]
    out = torch.bmm(x.reshape(batch, math.prod(left), size),
                    y.reshape(batch, size, math.prod(right)))
    out = out.reshape((batch,) + tuple(left) + tuple(right))
    return out.unsqueeze(-1) if out.dim() == 1 else out


def dot(inputs, axes=-1, normalize: bool = False, **kwargs):
    """Functional form of `Dot`: `dot([x1, x2], axes=1)`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
