"""`SpectralNormalization`: keeps a wrapped layer's kernel at spectral norm ~1 in training."""

from __future__ import annotations

import torch

from hocsau import initializers, ops
from hocsau.layers.core.wrapper import Wrapper
from hocsau.layers.input_spec import InputSpec
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class SpectralNormalization(Wrapper):
    """Spectral normalization of `layer`'s `kernel` (or `embeddings`), Miyato et al. 2018.

    In training, each call runs `power_iterations` steps of the power method from the
    non-trainable `vector_u` (shape `(1, kernel.shape[-1])`), stores the new `u`, and divides the
    kernel in place by its estimated largest singular value before the layer runs, as Keras does
    (an all-zero kernel is left alone). In inference the layer runs unchanged.

    The kernel is also tracked as this layer's own weight, ahead of `vector_u`, so weight lists
    and `.keras` files have Keras's layout.

    Args:
        layer: a layer with a `kernel` or `embeddings` weight (Dense, Conv2D, Embedding, ...).
        power_iterations: positive number of power-method steps per training call.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) \
                or power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations

    def build(self, input_shape) -> None:
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        self._kernel_name = next((n for n in ("kernel", "embeddings")
                                  if getattr(self.layer, n, None) is not None), None)
        if self._kernel_name is None:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' nor "
                             f"'embeddings'. Received: layer={self.layer.name}")
        self.kernel = kernel = self._wrapped_kernel()
        # Not autocast: mixed precision must update the float32 `u`, not a half copy of it.
        self.vector_u = self.add_weight(name="vector_u", shape=(1, kernel.shape[-1]),
                                        initializer=initializers.TruncatedNormal(stddev=0.02),
                                        trainable=False, autocast=False,
                                        dtype=_dtype_name(kernel))
        self.built = True

    def _wrapped_kernel(self):
        """The wrapped layer's own kernel variable (under mixed precision, `self.kernel` is a
        half-precision copy during `call`)."""
        return getattr(self.layer, self._kernel_name)

    def call(self, inputs, training=False):
        if training:
            with torch.no_grad():
                vector_u, normalized = self.normalized_weights()
                kernel = self._wrapped_kernel()
                untouched = torch.all(kernel == 0)  # no host sync: both kept on device
                self.vector_u.copy_(torch.where(untouched, self.vector_u, vector_u))
                kernel.copy_(torch.where(untouched, kernel, normalized))
        outputs = self.layer(inputs)
        return outputs.to(inputs.dtype)

    def normalized_weights(self):
        """(new `u`, kernel / sigma) from `power_iterations` power-method steps."""
        kernel = self._wrapped_kernel()
        weights = kernel.reshape(-1, kernel.shape[-1])
        vector_u = self.vector_u
        for _ in range(self.power_iterations):
            vector_v = ops.normalize(vector_u @ weights.T, axis=None)
            vector_u = ops.normalize(vector_v @ weights, axis=None)
        vector_u, vector_v = vector_u.detach(), vector_v.detach()
        sigma = (vector_v @ weights) @ vector_u.T
        normalized = (kernel / sigma).reshape(kernel.shape)
        return vector_u.to(self.vector_u.dtype), normalized.to(kernel.dtype)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "power_iterations": self.power_iterations}


def _dtype_name(variable) -> str:
    return str(variable.dtype).removeprefix("torch.")
