"""`ConvLSTMCell`: one step of a convolutional LSTM, gates in Keras's order i, f, c, o.

    z = conv(x_t, kernel, strides, padding, dilation) + bias + conv_same(h, recurrent_kernel)
    i, f, c~, o = split(z, 4, channel axis)
    c = sigmoid(f) * c + sigmoid(i) * tanh(c~);  h = sigmoid(o) * tanh(c)

Each kernel computes its four gates in one convolution; with dropout in training every gate
sees its own mask (Keras draws four per sequence), so the gates are convolved one by one.
Like Keras, this cell is not exported: ConvLSTM1D/2D/3D build it for themselves.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from hocsau import activations, constraints, initializers, random, regularizers
from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.layers.rnn.lstm_cell import _forget_bias_initializer
from hocsau.ops.nn_conv import same_padding
from hocsau.saving.serialization import serialize_keras_object
from hocsau.utils.argument_validation import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_WEIGHT_ARGS = {"initializer": initializers.get, "regularizer": regularizers.get,
                "constraint": constraints.get}


class ConvLSTMCell(Layer):
    """Convolutional LSTM step with state `[h, c]`, both shaped like one output frame.

    Args:
        rank: number of spatial axes (1, 2 or 3).
        filters: channels of the output and of each state.
        kernel_size / strides / padding / dilation_rate: of the input convolution (the
            recurrent one is "same", stride 1, no dilation); strides > 1 exclude dilation > 1.
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
        activation / recurrent_activation: cell and gate activations (tanh / sigmoid).
        use_bias / *_initializer / *_regularizer / *_constraint: for `kernel`
            (*kernel_size, channels, 4*filters), `recurrent_kernel` (*kernel_size, filters,
            4*filters) and `bias` (4*filters,).
        unit_forget_bias: add 1 to the forget-gate bias at initialization.
        dropout / recurrent_dropout: rates for the inputs / previous output (training only).
        seed: seed of the dropout masks.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rank_and_filters(rank, filters)
        self.rank, self.filters = rank, filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("Specifying `strides > 1` is not compatible with `dilation_rate > "
                             f"1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = use_bias, unit_forget_bias
        arguments = locals()
        for kind, get in _WEIGHT_ARGS.items():
            for weight in ("kernel", "recurrent", "bias"):
                setattr(self, f"{weight}_{kind}", get(arguments[f"{weight}_{kind}"]))
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed)
        self.state_size = -1  # as Keras: the states' shapes follow from the input's
        self.input_spec = InputSpec(ndim=rank + 2)
        self._channel_axis = -1 if self.data_format == "channels_last" else 1
        self._dropout_mask = self._recurrent_dropout_mask = None

    def build(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        spatial = inputs_shape[1:-1] if self._channel_axis == -1 else inputs_shape[2:]
        if None in spatial:
            raise ValueError("ConvLSTM layers only support static input shapes for the spatial "
                             f"dimension. Received invalid input shape: input_shape={inputs_shape}")
        channels = inputs_shape[self._channel_axis]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             f"None. Received: input_shape={inputs_shape}")
        self._state_shape = self.compute_output_shape(inputs_shape)[0][1:]
        self._add_weights(channels)

    def _add_weights(self, channels: int) -> None:
        columns = 4 * self.filters
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels, columns),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=self.kernel_size + (self.filters, columns),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                initializer = _forget_bias_initializer(initializer, self.filters)
            self.bias = self.add_weight(
                name="bias", shape=(columns,), initializer=initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states
        masks = recurrent_masks = None
        if training and 0 < self.dropout < 1:
            masks = self.get_dropout_mask(inputs)
        if training and 0 < self.recurrent_dropout < 1:
            recurrent_masks = self.get_recurrent_dropout_mask(h_tm1)
        z = self._convolve(inputs, self.kernel, self.bias, masks, self.strides, self.padding,
                           self.dilation_rate)
        z = z + self._convolve(h_tm1, self.recurrent_kernel, None, recurrent_masks,
                               (1,) * self.rank, "same", (1,) * self.rank)
        i, f, c, o = z.chunk(4, dim=self._channel_axis)
        gate = self.recurrent_activation
        c = gate(f) * c_tm1 + gate(i) * self.activation(c)
        h = gate(o) * self.activation(c)
        return h, [h, c]

    def _convolve(self, x, kernel, bias, masks, strides, padding, dilation):
        """All four gates of `kernel` applied to `x` (each to its own dropped `x` if `masks`)."""
        weight = kernel.permute(self.rank + 1, self.rank, *range(self.rank))
        conv = _CONV[self.rank]
        first = self._channel_axis == -1
        if masks is None:
            inputs, pad = self._padded(x.movedim(-1, 1) if first else x, padding, strides,
                                       dilation)
            out = conv(inputs, weight, bias, strides, pad, dilation)
        else:
            biases = bias.chunk(4) if bias is not None else (None,) * 4
            parts = []
            for mask, w, b in zip(masks, weight.chunk(4), biases, strict=True):
                dropped = x * mask
                inputs, pad = self._padded(dropped.movedim(-1, 1) if first else dropped,
                                           padding, strides, dilation)
                parts.append(conv(inputs, w, b, strides, pad, dilation))
            out = torch.cat(parts, dim=1)
        return out.movedim(1, -1) if first else out

    def _padded(self, x, padding, strides, dilation):
        """Channels-first `x` and torch's `padding` argument for Keras's padding mode."""
        if padding == "valid":
            return x, 0
        pads = same_padding(x.shape[2:], self.kernel_size, strides, dilation)
        if all(left == right for left, right in pads):
            return x, [left for left, _ in pads]
        return F.pad(x, [p for pair in reversed(pads) for p in pair]), 0

    # --- dropout masks: four per sequence, one per gate, as Keras ----------------------------
    def _draw_masks(self, like: torch.Tensor, rate: float) -> list:
        return [random.dropout(torch.ones_like(like), rate, seed=self.seed_generator)
                for _ in range(4)]

    def get_dropout_mask(self, step_input):
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._draw_masks(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_input):
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._draw_masks(step_input, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None

    # --- shapes and config -------------------------------------------------------------------
    def compute_output_shape(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        first = self._channel_axis == 1
        spatial = inputs_shape[2:] if first else inputs_shape[1:-1]
        sizes = tuple(self._output_length(n, k, s, d, inputs_shape) for n, k, s, d in zip(
            spatial, self.kernel_size, self.strides, self.dilation_rate, strict=True))
        shape = ((inputs_shape[0], self.filters, *sizes) if first
                 else (inputs_shape[0], *sizes, self.filters))
        return shape, [shape, shape]

    def _output_length(self, size, kernel, stride, dilation, inputs_shape):
        if size is None:
            return None
        if self.padding == "same":
            return math.ceil(size / stride)
        length = (size - (kernel - 1) * dilation - 1) // stride + 1
        if length <= 0:
            raise ValueError("Computed output size would be negative or zero: the input is "
                             f"smaller than the dilated kernel {self.kernel_size}. Received: "
                             f"input_shape={inputs_shape}, dilation_rate={self.dilation_rate}")
        return length

    def get_initial_state(self, batch_size=None):
        return [torch.zeros((batch_size, *self._state_shape), dtype=self.kernel.dtype,
                            device=self.kernel.device) for _ in range(2)]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "rank": self.rank, "filters": self.filters, "kernel_size": self.kernel_size,
            "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias, "unit_forget_bias": self.unit_forget_bias})
        config.update({f"{weight}_{kind}": serialize_keras_object(
            getattr(self, f"{weight}_{kind}")) for kind in _WEIGHT_ARGS
            for weight in ("kernel", "recurrent", "bias")})
        config.update({"dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                       "seed": self.seed})
        return config


def _check_rank_and_filters(rank, filters) -> None:
    if rank not in (1, 2, 3):
        raise ValueError(f"Rank {rank} convolutions are not implemented. Received: rank={rank}")
    if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
        raise ValueError("Invalid value for argument `filters`. Expected a strictly positive "
                         f"integer. Received: filters={filters!r}")
