"""`GRUCell`: one step of a Gated Recurrent Unit, gates in Keras's order z, r, h."""

from __future__ import annotations

import torch

from hocsau import activations
from hocsau.layers.rnn._cell_base import RecurrentCell
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class GRUCell(RecurrentCell):
    """GRU step: `h = z * h_prev + (1 - z) * hh`.

    With `reset_after=True` (the default, and torch's GRU) the reset gate multiplies the
    recurrent projection, and the bias has shape (2, 3*units): input and recurrent biases.
    With `reset_after=False` it multiplies the previous state before the projection, and the
    bias has shape (3*units,); only the step loop computes that variant.

    Args:
        units: size of the output and state.
        activation / recurrent_activation: candidate and gate activations (tanh / sigmoid).
        reset_after: where the reset gate applies (see above).
        use_bias / *_initializer / *_regularizer / *_constraint: for `kernel` (input, 3*units),
            `recurrent_kernel` (units, 3*units) and `bias`.
        dropout / recurrent_dropout: rates for the inputs / previous state (training only).
        seed: seed of the dropout masks.
    """

    gates = 3
    fused_kind = "gru"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def build(self, input_shape):
        bias_shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._add_kernels(input_shape[-1], bias_shape, self.bias_initializer)

    def call(self, inputs, states, training=False):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        inputs, h_prev = self._dropped(inputs, h_tm1, training)
        x = inputs @ self.kernel
        units = self.units
        if self.reset_after:
            inner = h_prev @ self.recurrent_kernel
            if self.bias is not None:
                x, inner = x + self.bias[0], inner + self.bias[1]
        else:
            inner = h_prev @ self.recurrent_kernel[:, : 2 * units]
            if self.bias is not None:
                x = x + self.bias
        x_z, x_r, x_h = x.split(units, dim=-1)
        z = self.recurrent_activation(x_z + inner[:, :units])
        r = self.recurrent_activation(x_r + inner[:, units: 2 * units])
        if self.reset_after:
            recurrent_h = r * inner[:, 2 * units:]
        else:
            recurrent_h = (r * h_prev) @ self.recurrent_kernel[:, 2 * units:]
        hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h] if isinstance(states, (list, tuple)) else h

    def fusable(self) -> bool:
        return self.reset_after and super().fusable()

    def fused_weights(self) -> list:
        """torch's GRU layout: gates r, z, n (Keras: z, r, h), rows = gates."""
        weights = [_torch_gates(self.kernel).t(), _torch_gates(self.recurrent_kernel).t()]
        if self.bias is not None:
            weights += [_torch_gates(self.bias[0]), _torch_gates(self.bias[1])]
        return weights

    def get_config(self) -> dict:
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["reset_after"] = self.reset_after
        return config


def _torch_gates(weight: torch.Tensor) -> torch.Tensor:
    """Swap the z and r column blocks: Keras's z, r, h -> torch's r, z, n."""
    z, r, h = weight.chunk(3, dim=-1)
    return torch.cat([r, z, h], dim=-1)
