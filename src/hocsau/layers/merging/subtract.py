"""`Subtract` and `subtract`: the difference of exactly two tensors."""

from __future__ import annotations

from hocsau.layers.merging._merge import Merge
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Subtract(Merge):
    """`Subtract()([x1, x2])`: `x1 - x2`."""

    def build(self, input_shape) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={input_shape}")

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: {len(inputs)} inputs")
        return inputs[0] - inputs[1]


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`: `subtract([x1, x2])`."""
    return Subtract(**kwargs)(inputs)
