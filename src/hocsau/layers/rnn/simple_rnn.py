"""`SimpleRNN`: a fully connected RNN layer (`RNN(SimpleRNNCell)`), fused with torch's
rnn_tanh kernel for the tanh activation."""

from __future__ import annotations

from hocsau.layers.rnn._cell_layer import CellLayer, cell_arguments
from hocsau.layers.rnn.simple_rnn_cell import SimpleRNNCell
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class SimpleRNN(CellLayer):
    """Fully connected RNN whose output is fed back: `h_t = activation(x_t W + h_{t-1} U + b)`.

    Args:
        units: output size. activation: default tanh (other activations run the step loop).
        use_bias / *_initializer / *_regularizer / *_constraint / dropout / recurrent_dropout /
            seed: as in `SimpleRNNCell`.
        return_sequences / return_state / go_backwards / stateful / unroll: as in `RNN`.
    """

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"
    hidden_config_keys = ("seed",)

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        cell_kwargs = cell_arguments(self.cell_class, locals())
        super().__init__(cell_kwargs, activity_regularizer=activity_regularizer,
                         return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
