"""`GroupNormalization`: normalize groups of channels of each sample."""

from __future__ import annotations

import torch

from hocsau.layers.input_spec import InputSpec
from hocsau.layers.normalization._affine import AffineNormalization
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class GroupNormalization(AffineNormalization):
    """The channels (`axis`) are split into `groups`; each sample's group is normalized over
    its channels and positions, then scaled by gamma and shifted by beta per channel.
    `groups=1` is layer normalization over everything, `groups=channels` instance norm."""

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                         gamma_regularizer, beta_constraint, gamma_constraint, **kwargs)
        self.groups, self.axis, self.epsilon = groups, axis, float(epsilon)

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        axis = self.axis % rank
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension "
                             f"but the layer received an input with shape {input_shape}.")
        if channels < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number "
                             f"of channels ({channels}).")
        if channels % self.groups:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number "
                             f"of channels ({channels}).")
        self._add_gamma_beta((channels,), self.scale, self.center)
        self.input_spec = InputSpec(ndim=rank, axes={axis: channels})
        self._channel_axis = axis
        self.built = True

    def call(self, inputs):
        x = inputs.movedim(self._channel_axis, -1)
        grouped = x.reshape(*x.shape[:-1], self.groups, x.shape[-1] // self.groups)
        axes = [d for d in range(1, grouped.dim()) if d != grouped.dim() - 2]
        # Half precision is reduced in float32; float32 and float64 in their own precision.
        stats = grouped.to(torch.promote_types(grouped.dtype, torch.float32))
        variance, mean = torch.var_mean(stats, dim=axes, correction=0, keepdim=True)
        inv = torch.rsqrt(variance + self.epsilon)
        shape = (self.groups, x.shape[-1] // self.groups)
        if self.gamma is not None:
            inv = inv * self.gamma.reshape(shape)
        shift = -mean * inv
        if self.beta is not None:
            shift = shift + self.beta.reshape(shape)
        out = (grouped * inv + shift).reshape(x.shape).to(inputs.dtype)
        return out.movedim(-1, self._channel_axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon}
