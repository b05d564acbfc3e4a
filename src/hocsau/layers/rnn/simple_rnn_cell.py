"""`SimpleRNNCell`: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`."""

from __future__ import annotations

from hocsau.layers.rnn._cell_base import RecurrentCell
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class SimpleRNNCell(RecurrentCell):
    """One step of a fully connected RNN whose output is its state (for `RNN(cell)`).

    Args:
        units: size of the output and state.
        activation: applied to the new state (default tanh).
        use_bias / *_initializer / *_regularizer / *_constraint: for `kernel` (input, units),
            `recurrent_kernel` (units, units) and `bias` (units,).
        dropout / recurrent_dropout: rates for the inputs / previous state (training only).
        seed: seed of the dropout masks.
    """

    fused_kind = "rnn_tanh"

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], (self.units,), self.bias_initializer)

    def call(self, inputs, states, training=False):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        inputs, prev = self._dropped(inputs, prev, training)
        h = inputs @ self.kernel
        if self.bias is not None:
            h = h + self.bias
        output = self.activation(h + prev @ self.recurrent_kernel)
        return output, [output] if isinstance(states, (list, tuple)) else output
