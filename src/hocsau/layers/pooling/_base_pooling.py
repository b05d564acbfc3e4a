"""`BasePooling`: max and average pooling over 1, 2 or 3 spatial axes, Keras's semantics.

Channels-last inputs are pooled through a permuted view: `x.permute(0, 3, 1, 2)` of an NHWC
tensor is an NCHW tensor in torch's channels_last memory format, which torch's pooling kernels
keep, so permuting the result back gives a contiguous NHWC tensor without any layout copy.
1D pooling runs as 2D pooling over a unit trailing axis, on the same kernels.

"same" padding is TensorFlow's: the output has ceil(size / stride) steps, the padding is split
with the extra step at the end, and padded positions never count in an average.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hocsau.layers.input_spec import InputSpec, assert_input_compatibility
from hocsau.layers.layer import Layer
from hocsau.utils.argument_validation import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)

_MAX = {2: F.max_pool2d, 3: F.max_pool3d}
_AVERAGE = {2: F.avg_pool2d, 3: F.avg_pool3d}


class BasePooling(Layer):
    """Pools windows of `pool_size` moved by `strides` over the spatial axes.

    Args:
        pool_size / strides: int or tuple of `rank` ints; strides default to `pool_size`.
        padding: "valid" (windows inside the input) or "same" (ceil(size / strides) outputs).
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
        rank: number of spatial axes (1, 2 or 3).
        mode: "max" or "average".
    """

    def __init__(self, pool_size, strides, padding, data_format, *, rank: int, mode: str,
                 **kwargs):
        super().__init__(**kwargs)
        self.pool_size = standardize_tuple(pool_size, rank, "pool_size")
        self.strides = (self.pool_size if strides is None
                        else standardize_tuple(strides, rank, "strides"))
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)
        self._mode = mode
        self._channels_last = self.data_format == "channels_last"
        # 1D runs as 2D over a unit axis: (B, T, 1, C) or (B, C, T, 1).
        self._unit_axis = (2 if self._channels_last else 3) if rank == 1 else None
        dims = max(rank, 2)
        self._kernel = self.pool_size + (1,) * (dims - rank)
        self._stride = self.strides + (1,) * (dims - rank)
        self._pool = (_MAX if mode == "max" else _AVERAGE)[dims]
        self._to_first = (0, dims + 1, *range(1, dims + 1))
        self._to_last = (0, *range(2, dims + 2), 1)
        self._plain = self._channels_last and rank > 1 and self.padding == "valid"

    def call(self, inputs):
        try:
            if self._plain:  # the common case, kept as cheap as the torch call itself
                return self._pool(inputs.permute(self._to_first), self._kernel,
                                  self._stride).permute(self._to_last)
            return self._pool_any(inputs)
        except (RuntimeError, IndexError):
            # Say what Keras says about a wrong rank or a too small input; else torch's error.
            assert_input_compatibility(self.input_spec, inputs, self.name)
            self.compute_output_shape(tuple(inputs.shape))
            raise

    def _pool_any(self, inputs):
        x = inputs if self._unit_axis is None else inputs.unsqueeze(self._unit_axis)
        if self._channels_last:
            x = x.permute(self._to_first)
        if self.padding == "valid":
            x = self._pool(x, self._kernel, self._stride)
        else:
            x = self._pool_same(x)
        if self._channels_last:
            x = x.permute(self._to_last)
        return x if self._unit_axis is None else x.squeeze(self._unit_axis)

    def _pool_same(self, x):
        """Pool a channels-first tensor with TensorFlow's "same" padding."""
        pads = [_same_padding(n, k, s)
                for n, k, s in zip(x.shape[2:], self._kernel, self._stride, strict=True)]
        if all(left == right for left, right in pads):
            padding = tuple(left for left, _ in pads)
            if self._mode == "max":
                return self._pool(x, self._kernel, self._stride, padding)
            return self._pool(x, self._kernel, self._stride, padding, count_include_pad=False)
        # Torch pads symmetrically only: pad explicitly, keeping padding out of the result.
        flat = tuple(p for pair in reversed(pads) for p in pair)
        if self._mode == "max":
            return self._pool(F.pad(x, flat, value=float("-inf")), self._kernel, self._stride)
        sums = self._pool(F.pad(x, flat), self._kernel, self._stride, divisor_override=1)
        ones = torch.ones((1, 1, *x.shape[2:]), dtype=x.dtype, device=x.device)
        counts = self._pool(F.pad(ones, flat), self._kernel, self._stride, divisor_override=1)
        return sums / counts

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = input_shape[1:-1] if self._channels_last else input_shape[2:]
        sizes = tuple(self._output_size(n, k, s, input_shape)
                      for n, k, s in zip(spatial, self.pool_size, self.strides, strict=True))
        if self._channels_last:
            return (input_shape[0], *sizes, input_shape[-1])
        return (input_shape[0], input_shape[1], *sizes)

    def _output_size(self, size, pool, stride, input_shape):
        if size is None:
            return None
        if self.padding == "same":
            return (size - 1) // stride + 1
        if size < pool:
            raise ValueError(
                f"Computed output size of layer '{self.name}' would be zero or negative. "
                f"Received: inputs.shape={input_shape}, pool_size={self.pool_size}, "
                f"strides={self.strides}, padding={self.padding}")
        return (size - pool) // stride + 1

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding,
                       "strides": self.strides, "data_format": self.data_format})
        return config


def _same_padding(size: int, pool: int, stride: int) -> tuple[int, int]:
    """(before, after) padding of TensorFlow's "same": the extra step goes after."""
    outputs = (size + stride - 1) // stride
    total = max(0, (outputs - 1) * stride + pool - size)
    return total // 2, total - total // 2
