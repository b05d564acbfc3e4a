"""`LSTM`: Long Short-Term Memory layer (`RNN(LSTMCell)`), fused with torch's LSTM kernel
for the default activations without recurrent dropout."""

from __future__ import annotations

from hocsau.layers.rnn._cell_layer import CellLayer, cell_arguments
from hocsau.layers.rnn.lstm_cell import LSTMCell
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class LSTM(CellLayer):
    """Long Short-Term Memory layer; Keras weights (gates i, f, c, o), torch's kernel underneath.

    Args:
        units: output size. activation / recurrent_activation: tanh / sigmoid by default.
        unit_forget_bias: initialize the forget-gate bias to 1.
        use_bias / *_initializer / *_regularizer / *_constraint / dropout / recurrent_dropout /
            seed: as in `LSTMCell`.
        return_sequences / return_state / go_backwards / stateful / unroll: as in `RNN`.
        use_cudnn: "auto" runs torch's fused kernel (cuDNN on a GPU) when the layer allows it
            (see `RNN`), else the step loop; True raises a ValueError where it does not; False
            keeps the fused kernel off cuDNN (torch's own CUDA kernel).
    """

    cell_class = LSTMCell
    cell_name = "lstm_cell"
    hidden_config_keys = ()

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        cell_kwargs = cell_arguments(self.cell_class, locals())
        super().__init__(cell_kwargs, activity_regularizer=activity_regularizer,
                         use_cudnn=use_cudnn, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, **kwargs)
