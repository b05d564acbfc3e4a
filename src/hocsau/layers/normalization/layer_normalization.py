"""`LayerNormalization`: normalize each sample over its feature axes."""

from __future__ import annotations

from hocsau.layers.input_spec import InputSpec
from hocsau.layers.normalization._affine import AffineNormalization
from hocsau.ops.nn_norm import layer_normalization
from hocsau.saving.serialization import keras_class

_layer_normalization = layer_normalization.__wrapped__


@keras_class("keras.layers")
class LayerNormalization(AffineNormalization):
    """`(x - mean) / sqrt(var + epsilon) * gamma + beta` with statistics over `axis` of each
    sample; gamma and beta have the shape of those axes. `rms_scaling=True` is Keras's
    deprecated variant (divides by the variance's root, no centering, no beta)."""

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 rms_scaling: bool = False, beta_initializer="zeros", gamma_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                         gamma_regularizer, beta_constraint, gamma_constraint, **kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = float(epsilon)
        self.rms_scaling = rms_scaling

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for axis in axes:
            if not -rank <= axis < rank:
                raise ValueError(f"Axis {axis} is out of bounds for input shape {input_shape}. "
                                 f"Received: axis={self.axis}")
        axes = sorted(a % rank for a in axes)
        shape = tuple(input_shape[a] for a in axes)
        self._add_gamma_beta(shape, self.scale or self.rms_scaling,
                             self.center and not self.rms_scaling)
        self._axes = axes
        self.input_spec = InputSpec(axes={a - rank: input_shape[a] for a in axes})
        self.built = True

    def call(self, inputs):
        out = _layer_normalization(inputs, self.gamma, self.beta, self._axes, self.epsilon,
                                   rms_scaling=self.rms_scaling)
        return out.to(inputs.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "rms_scaling": self.rms_scaling}
