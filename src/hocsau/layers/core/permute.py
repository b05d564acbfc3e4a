"""`Permute`: reorders the non-batch axes."""

from __future__ import annotations

from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Permute(Layer):
    """Transposes the axes after the batch axis: `Permute((2, 1))` turns (batch, a, b) into
    (batch, b, a).

    Args:
        dims: a permutation of 1..rank-1 (the batch axis is 0 and stays first).
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of "
                             "indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self) -> dict:
        config = super().get_config()
        config["dims"] = self.dims
        return config
