"""`LSTMCell`: one step of a Long Short-Term Memory layer, gates in Keras's order i, f, c, o."""

from __future__ import annotations

import torch

from hocsau import activations, initializers
from hocsau.layers.rnn._cell_base import RecurrentCell
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class LSTMCell(RecurrentCell):
    """LSTM step with state `[h, c]`; kernels hold the gates i, f, c, o side by side.

    torch's fused LSTM uses the same gate order (i, f, g, o), so its weights are the Keras
    kernels transposed.

    Args:
        units: size of the output and of each state.
        activation / recurrent_activation: cell and gate activations (tanh / sigmoid).
        unit_forget_bias: add 1 to the forget-gate bias at initialization.
        use_bias / *_initializer / *_regularizer / *_constraint: for `kernel` (input, 4*units),
            `recurrent_kernel` (units, 4*units) and `bias` (4*units,).
        dropout / recurrent_dropout: rates for the inputs / previous output (training only).
        seed: seed of the dropout masks.
    """

    gates = 4
    fused_kind = "lstm"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
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
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]

    def build(self, input_shape):
        initializer = self.bias_initializer
        if self.unit_forget_bias:
            initializer = _forget_bias_initializer(self.bias_initializer, self.units)
        self._add_kernels(input_shape[-1], (4 * self.units,), initializer)

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states
        inputs, h_tm1 = self._dropped(inputs, h_tm1, training)
        z = inputs @ self.kernel + h_tm1 @ self.recurrent_kernel
        if self.bias is not None:
            z = z + self.bias
        i, f, c, o = z.chunk(4, dim=-1)
        gate = self.recurrent_activation
        c = gate(f) * c_tm1 + gate(i) * self.activation(c)
        h = gate(o) * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, batch_size=None):
        return [torch.zeros((batch_size, self.units), dtype=self.kernel.dtype,
                            device=self.kernel.device) for _ in range(2)]

    def get_config(self) -> dict:
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


def _forget_bias_initializer(base, units: int):
    """The bias initializer, with ones for the forget gate (Keras's unit_forget_bias)."""
    ones = initializers.get("ones")

    def initialize(shape, dtype=None):
        parts = [base((units,), dtype=dtype), ones((units,), dtype=dtype),
                 base((2 * units,), dtype=dtype)]
        return torch.cat([torch.as_tensor(p) for p in parts])

    return initialize
