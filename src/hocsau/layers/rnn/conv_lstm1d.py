"""`ConvLSTM1D`: an LSTM whose input and recurrent transformations are 1D convolutions."""

from __future__ import annotations

from hocsau.layers.rnn._conv_lstm import ConvLSTM
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class ConvLSTM1D(ConvLSTM):
    """1D convolutional LSTM over a sequence of frames; Keras's weights (gates i, f, c, o).

    Channels-last inputs are (batch, time, steps, channels); every output and state
    frame has `filters` channels and the input convolution's spatial size.

    Args:
        filters: output channels. kernel_size / strides / dilation_rate: int or tuple of 1
            ints, for the input convolution (strides > 1 exclude dilation > 1).
        padding: "valid" or "same" of the input convolution (the recurrent one is "same").
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
        activation / recurrent_activation: cell and gate activations (tanh / sigmoid).
        unit_forget_bias: initialize the forget-gate bias to 1.
        use_bias / *_initializer / *_regularizer / *_constraint / dropout / recurrent_dropout /
            seed: for `kernel`, `recurrent_kernel` and `bias`, as in an LSTM.
        return_sequences / return_state / go_backwards / stateful / unroll: as in `RNN`.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        arguments = {k: v for k, v in locals().items() if k not in ("self", "kwargs", "__class__")}
        super().__init__(1, **arguments, **kwargs)
