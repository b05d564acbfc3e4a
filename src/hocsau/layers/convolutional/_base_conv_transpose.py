"""`BaseConvTranspose`: the shared frame of Conv1D/2D/3DTranspose."""

from __future__ import annotations

from hocsau import constraints, initializers, regularizers
from hocsau.layers.convolutional._base_conv import ConvFrame
from hocsau.ops.nn_conv import conv_transpose
from hocsau.utils.argument_validation import standardize_tuple

_conv_transpose = conv_transpose.__wrapped__


class BaseConvTranspose(ConvFrame):
    """Transposed convolution with a kernel of shape `(*kernel_size, filters, channels)` and
    Keras's output sizes (`output_padding` None: `input * stride` for 'same')."""

    _window_must_fit = False

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(rank, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, activity_regularizer, **kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly positive "
                             f"value. Received filters={filters}.")
        self.filters = filters
        self.output_padding = None if output_padding is None else standardize_tuple(
            output_padding, rank, "output_padding", allow_zero=True)
        if self.output_padding is not None and any(
                p >= s for p, s in zip(self.output_padding, self.strides, strict=True)):
            raise ValueError("Strides must be greater than output padding. Received strides="
                             f"{self.strides}, output_padding={self.output_padding}.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self.add_weight(
            name="bias", shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
        ) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        out = _conv_transpose(inputs, self.kernel, self.strides, self.padding,
                              self.output_padding, self.data_format, self.dilation_rate)
        return self._finish(out)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, **self._frame_config(),
                "output_padding": self.output_padding,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
