"""`BaseConv`: the shared frame of Conv1D/2D/3D (Keras's arguments, weights and numerics).

Channels_last inputs are convolved through `x.movedim(-1, 1)`, an NCHW view in torch's
channels_last memory format: torch's kernels keep that format and `movedim(1, -1)` turns the
result back into a contiguous channels_last tensor, so a stack of convolutions copies nothing.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau import activations, constraints, initializers, regularizers
from hocsau.layers._lora import LoraMixin, LoraWeight
from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.ops.nn_conv import same_padding
from hocsau.utils.argument_validation import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


class ConvFrame(Layer):
    """What every convolution shares: sizes, padding, layout, activation, bias switch."""

    _window_must_fit = True  # a transposed convolution's output grows instead

    def __init__(self, rank: int, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias: bool = True,
                 activity_regularizer=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=rank == 1 and isinstance(
            self, BaseConv))
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.input_spec = InputSpec(min_ndim=rank + 2)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > "
                             f"1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _input_channels(self, input_shape) -> int:
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs of layer '{self.name}' should "
                             f"be defined. Received: input_shape={input_shape}")
        self._check_window(tuple(input_shape))
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis: channels})
        return channels

    def _explain_input_error(self, inputs) -> None:
        """Keras's messages for a wrong rank or a window larger than the (padded) input."""
        super()._explain_input_error(inputs)
        shape = tuple(inputs.shape)
        if len(shape) != self.rank + 2:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expects inputs of "
                             f"rank {self.rank + 2} (batch, {self.rank} spatial axes, "
                             f"channels). Received: inputs with shape {shape}")
        self._check_window(shape)

    def _check_window(self, shape: tuple) -> None:
        """A "valid" window larger than the input leaves no output: Keras's ValueError."""
        if self.padding != "valid" or not self._window_must_fit:
            return
        spatial = shape[1:-1] if self.data_format == "channels_last" else shape[2:]
        if any(size is not None and size < (kernel - 1) * dilation + 1
               for size, kernel, dilation in zip(spatial, self.kernel_size, self.dilation_rate,
                                                 strict=False)):
            raise ValueError(f"Computed output size of layer '{self.name}' would be zero or "
                             f"negative: its kernel is larger than the input. Received: "
                             f"inputs.shape={shape}, kernel_size={self.kernel_size}, "
                             f"dilation_rate={self.dilation_rate}, strides={self.strides}, "
                             f"padding={self.padding}")

    def _finish(self, out):
        """Add the bias along the channel axis and apply the activation."""
        if self.bias is not None:
            shape = [1] * out.dim()
            shape[self._channel_axis] = -1
            out = out + self.bias.reshape(shape)
        return activations.apply_to_fresh(self.activation, out)

    def _frame_config(self) -> dict:
        return {"kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias}


class BaseConv(LoraMixin, ConvFrame):
    """N-D convolution with a kernel of shape `(*kernel_size, channels // groups, filters)`.

    `lora_rank` / `enable_lora` adapt the kernel with factors of shapes
    `(*kernel_size, channels // groups, rank)` and `(rank, filters)` (see `layers._lora`).
    """

    kernel = LoraWeight()

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, groups: int = 1, activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, **kwargs):
        super().__init__(rank, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, activity_regularizer, **kwargs)
        self.filters, self.groups = filters, groups
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        _check_conv_arguments(filters, groups)
        self._init_lora(lora_rank, lora_alpha)

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError("The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {channels} channels (full input shape is {input_shape}).")
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels // self.groups, self.filters),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self.add_weight(
            name="bias", shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
        ) if self.use_bias else None
        self.built = True
        self._build_lora()

    def _torch_kernel(self, kernel=None) -> torch.Tensor:
        """(filters, channels // groups, *kernel_size): torch's layout of `kernel` (the
        layer's own by default), as a view."""
        kernel = self.kernel if kernel is None else kernel
        return kernel.permute(self.rank + 1, self.rank, *range(self.rank))

    def convolution_op(self, inputs, kernel):
        """Keras's hook: `inputs` convolved by `kernel` (Keras's layout) with the layer's
        strides, padding and dilation, before the bias and activation. Subclasses override it
        to change the convolution (e.g. standardize the kernel); `call` then adds the bias and
        applies the activation to its result."""
        x = inputs.movedim(-1, 1) if self.data_format == "channels_last" else inputs
        x, padding = self._pad(x)
        out = CONV[self.rank](x, self._torch_kernel(kernel), None, self.strides, padding,
                              self.dilation_rate, self.groups)
        return _to_channels_last(out) if self.data_format == "channels_last" else out

    def call(self, inputs):
        if type(self).convolution_op is not BaseConv.convolution_op:
            return self._finish(self.convolution_op(inputs, self.kernel))
        if self._covers_input(inputs):
            return self._call_as_matmul(inputs)
        x = inputs.movedim(-1, 1) if self.data_format == "channels_last" else inputs
        x, padding = self._pad(x)
        out = CONV[self.rank](x, self._torch_kernel(), self.bias, self.strides, padding,
                              self.dilation_rate, self.groups)
        layout = _to_channels_last if self.data_format == "channels_last" else None
        return activations.apply_to_fresh(self.activation, out, layout)

    def _covers_input(self, inputs) -> bool:
        """Whether the kernel window spans the whole (unpadded, undilated) input: one output
        position, so the convolution is a single matrix product."""
        if self.padding != "valid" or self.groups != 1 or max(self.dilation_rate) != 1:
            return False
        spatial = inputs.shape[1:-1] if self.data_format == "channels_last" else inputs.shape[2:]
        return tuple(spatial) == self.kernel_size

    def _call_as_matmul(self, inputs):
        """The convolution of a full-window input as `flat input @ flat kernel` (+ bias).

        Channels_last inputs flatten (rows, cols, channels) in the kernel's own
        `(*kernel_size, channels, filters)` order; channels_first ones flatten channels first,
        so the kernel is flattened with its channel axis moved to the front. oneDNN runs such a
        convolution (e.g. LeNet's last one) several times slower than this product.
        """
        kernel = self.kernel
        if self.data_format == "channels_first":
            kernel = kernel.movedim(self.rank, 0)
        kernel = kernel.reshape(-1, self.filters)
        flat = inputs.reshape(inputs.shape[0], kernel.shape[0])
        out = flat @ kernel if self.bias is None else torch.addmm(self.bias, flat, kernel)
        shape = ((inputs.shape[0],) + (1,) * self.rank + (self.filters,)
                 if self.data_format == "channels_last"
                 else (inputs.shape[0], self.filters) + (1,) * self.rank)
        return activations.apply_to_fresh(self.activation, out, lambda t: t.reshape(shape))

    def _pad(self, x: torch.Tensor):
        """Channels-first `x` and torch's `padding` argument for Keras's padding mode."""
        if self.padding == "valid":
            return x, 0
        if self.padding == "causal":
            return F.pad(x, ((self.kernel_size[0] - 1) * self.dilation_rate[0], 0)), 0
        pads = same_padding(x.shape[2:], self.kernel_size, self.strides, self.dilation_rate)
        if all(left == right for left, right in pads):
            return x, [left for left, _ in pads]
        return F.pad(x, [p for pair in reversed(pads) for p in pair]), 0

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, **self._frame_config(),
                "groups": self.groups,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                **self._lora_config()}


def _check_conv_arguments(filters, groups) -> None:
    if filters is not None and (not isinstance(filters, int) or filters <= 0):
        raise ValueError("Invalid value for argument `filters`. Expected a strictly positive "
                         f"value. Received filters={filters}.")
    if not isinstance(groups, int) or groups <= 0:
        raise ValueError(f"The number of groups must be a positive integer. Received: "
                         f"groups={groups}.")
    if filters is not None and filters % groups:
        raise ValueError("The number of filters must be evenly divisible by the number of "
                         f"groups. Received: groups={groups}, filters={filters}.")


def _to_channels_last(x: torch.Tensor) -> torch.Tensor:
    return x.movedim(1, -1)
