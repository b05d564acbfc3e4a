"""`ConvLSTM`: the shared base of ConvLSTM1D/2D/3D, an `RNN` over a `ConvLSTMCell` whose
arguments are the layer's own (flattened into its config, as Keras's `ConvLSTM`).

The RNN's step loop runs the cell; masks, initial states, `stateful` and `reset_states` are the
RNN's. Only the mask needs a reshape here: a step's keep flags must broadcast over a whole
frame (batch, *spatial, channels), not a feature vector.
"""

from __future__ import annotations

import torch

from hocsau.layers.input_spec import InputSpec
from hocsau.layers.rnn._cell_layer import CellLayer, _cell_property, cell_arguments
from hocsau.layers.rnn.conv_lstm_cell import ConvLSTMCell
from hocsau.layers.rnn.rnn import RNN
from hocsau.models.symbolic import flatten

_CONV_PROPERTIES = ("filters", "kernel_size", "strides", "padding", "data_format",
                    "dilation_rate")


class ConvLSTM(CellLayer):
    """`RNN(ConvLSTMCell(rank, ...))` over inputs (batch, time, *spatial, channels) (not public).

    Args:
        rank: number of spatial axes (1, 2 or 3); the other arguments are `ConvLSTMCell`'s and
            `RNN`'s (return_sequences, return_state, go_backwards, stateful, unroll).
    """

    cell_class = ConvLSTMCell
    cell_name = "conv_lstm_cell"
    hidden_config_keys = ("rank",)

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        cell_kwargs = cell_arguments(self.cell_class, locals())
        super().__init__(cell_kwargs, activity_regularizer=activity_regularizer,
                         return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
        self.input_spec = InputSpec(ndim=rank + 3)

    def build(self, sequences_shape, initial_state_shape=None):
        ndim = self.cell.rank + 3
        if len(sequences_shape) != ndim:  # said before the cell sees a frame of the wrong rank
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                             f"expected ndim={ndim}, found ndim={len(sequences_shape)}. Full "
                             f"shape received: {tuple(sequences_shape)}")
        # RNN's build, not CellLayer's: the conv cell checks its own channel axis.
        RNN.build(self, sequences_shape, initial_state_shape)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if mask is not None:
            mask = torch.as_tensor(flatten(mask)[0], device=sequences.device)
            mask = mask.reshape(*mask.shape, *(1,) * self.cell.rank)
        return super().call(sequences, initial_state=initial_state, mask=mask,
                            training=training)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        frame = self.cell.compute_output_shape((batch, *sequences_shape[2:]))[0]
        output = (batch, steps, *frame[1:]) if self.return_sequences else frame
        return (output, frame, frame) if self.return_state else output

    def compute_mask(self, inputs, mask=None):
        mask = flatten(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        return [output_mask, None, None] if self.return_state else output_mask


for _name in _CONV_PROPERTIES:
    setattr(ConvLSTM, _name, _cell_property(_name))
del _name
