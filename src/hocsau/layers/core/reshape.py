"""`Reshape`: gives the non-batch axes a new shape."""

from __future__ import annotations

import math

from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Reshape(Layer):
    """(batch, ...) -> (batch, *target_shape), the element order unchanged.

    Args:
        target_shape: the new shape without the batch axis; one entry may be -1, inferred
            from the input's size.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        _validate_target_shape(self.target_shape)
        self.built = True

    def call(self, inputs):
        return inputs.reshape(inputs.shape[0], *self.target_shape)

    def _explain_input_error(self, inputs) -> None:
        _resolve(tuple(inputs.shape[1:]), self.target_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *_resolve(tuple(input_shape[1:]), self.target_shape))

    def get_config(self) -> dict:
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


def _validate_target_shape(target_shape: tuple) -> None:
    if any(isinstance(d, int) and d < -1 for d in target_shape):
        raise ValueError("Each dimension in `target_shape` must be a non-negative integer, or "
                         f"`-1` for a single unknown dimension. Received: "
                         f"target_shape={target_shape}.")
    if target_shape.count(-1) > 1:
        raise ValueError("There must be at most one unknown dimension (-1) in `target_shape`. "
                         f"Received: target_shape={target_shape}.")


def _resolve(input_shape: tuple, target_shape: tuple) -> tuple:
    """The output shape without the batch axis: -1 resolved where the input size is known."""
    if None in input_shape:
        return tuple(None if d == -1 else d for d in target_shape)
    size = math.prod(input_shape)
    if -1 not in target_shape:
        if size != math.prod(target_shape):
            raise ValueError("The total size of the tensor must be unchanged. Received: "
                             f"input_shape={input_shape}, target_shape={target_shape}")
        return target_shape
    known = math.prod(d for d in target_shape if d != -1)
    if known == 0 or size % known:
        raise ValueError("The total size of the tensor must be unchanged, however, the input "
                         "size cannot by divided by the specified dimensions in target_shape. "
                         f"Received: input_shape={input_shape}, target_shape={target_shape}")
    return tuple(size // known if d == -1 else d for d in target_shape)
