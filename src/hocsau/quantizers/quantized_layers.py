"""The int8 forms of Dense, EinsumDense and Embedding (Keras's weights, scales and calls).

    Dense        kernel int8 (in, units), kernel_scale (units,)  inputs quantized per row;
                 int4 (EinsumDense too, its kernel flattened to (contracted, other) sizes):
                 kernel packed (in, ceil(units/2)), per channel or per block of rows
                 (kernel_scale / kernel_zero (groups, units), g_idx)
    EinsumDense  kernel int8, kernel_scale shaped like the output (1 on axes the kernel
                 lacks), inputs quantized over their contracted axes
    Embedding    quantized_embedding.py
Dense and EinsumDense also run float8 (float8_layer.py), GPTQ and AWQ
(calibrated_layers.py).

A scale is `127 / max|w|` over the reduced axes; outputs are the exact int32 product divided
by `inputs_scale * kernel_scale`, as Keras computes them.
"""

from __future__ import annotations

import math

import torch

from hocsau.quantizers.abs_max_quantizer import AbsMaxQuantizer
from hocsau.quantizers.calibrated_layers import CalibratedKernelMixin
from hocsau.quantizers.float8_layer import Float8Mixin
from hocsau.quantizers.functions import (
    abs_max_quantize_grouped_with_zero_point,
    pack_int4,
    unpack_int4,
)
from hocsau.quantizers.int4_quantization_config import Int4QuantizationConfig
from hocsau.quantizers.layer_quantization import QuantizableMixin, int8_matmul, straight_through
from hocsau.quantizers.quantization_config import QuantizationConfig


class Int4KernelMixin:
    """int4 for a kernel seen as a (rows, columns) matrix, rows the contracted axes: packed
    two values a byte along the columns, (rows, ceil(columns / 2)); per channel one scale
    per column, per block of rows a scale and a zero point each (with g_idx)."""

    def _int4_matrix(self, kernel_shape: tuple) -> tuple[int, int]:
        return kernel_shape

    def _int4_build(self, kernel_shape: tuple, config) -> None:
        self.inputs_quantizer = QuantizationConfig.activation_quantizer_or_default(config,
                                                                                   None)
        block = self._int4_block_size = int4_block_size(self, config)
        rows, columns = self._int4_matrix(kernel_shape)
        self._int4_columns, self._float_kernel_shape = columns, tuple(kernel_shape)
        scale_shape = (columns,) if block is None else (math.ceil(rows / block), columns)
        self._add_int8_weights((rows, (columns + 1) // 2), scale_shape, "kernel_scale")
        if block is not None:
            self.kernel_zero = self._add_fixed("kernel_zero", scale_shape, "int8")
            self.g_idx = self._add_fixed("g_idx", (rows,))
            self.g_idx.copy_(torch.div(torch.arange(rows), block, rounding_mode="floor"))

    def _int4_values(self, kernel: torch.Tensor, config) -> tuple:
        """(packed kernel, scale, zero point or None) of a float kernel."""
        block = int4_block_size(self, config)
        matrix = kernel.reshape(self._int4_matrix(tuple(kernel.shape)))
        zero = None
        if block is None:
            quantizer = QuantizationConfig.weight_quantizer_or_default(
                config, AbsMaxQuantizer(axis=0, value_range=(-8, 7)))
            values, scale = quantizer(matrix, to_numpy=True)
            scale = scale.reshape(-1)
        else:
            values, scale, zero = abs_max_quantize_grouped_with_zero_point(
                matrix, block_size=block, to_numpy=True)
        return pack_int4(values, axis=-1)[0], scale, zero

    def _quantize_int4(self, kernel: torch.Tensor, config) -> None:
        values = self._int4_values(kernel, config)
        self._int4_build(tuple(kernel.shape), config)
        self._assign_quantized(values)

    def _int4_float_kernel(self, compute: torch.dtype) -> torch.Tensor:
        """The dequantized (rows, columns) kernel."""
        kernel = unpack_int4(self._stored, self._int4_columns, axis=-1).to(compute)
        if self._int4_block_size is None:
            return kernel / self.kernel_scale
        groups = self.g_idx.long()
        return (kernel - self.kernel_zero[groups].to(compute)) * self.kernel_scale[groups]


class DenseQuantization(Int4KernelMixin, CalibratedKernelMixin, Float8Mixin,
                        QuantizableMixin):
    _quantizable_class = "Dense"
    _quantization_modes = ("int8", "int4", "float8", "gptq", "awq")

    def _int8_build(self, kernel_shape: tuple, config) -> None:
        self.inputs_quantizer = QuantizationConfig.activation_quantizer_or_default(
            config, AbsMaxQuantizer())
        self._add_int8_weights(kernel_shape, (self.units,), "kernel_scale")

    def _int8_values(self, kernel: torch.Tensor, config) -> tuple:
        quantizer = QuantizationConfig.weight_quantizer_or_default(config,
                                                                   AbsMaxQuantizer(axis=0))
        values, scale = quantizer(kernel, to_numpy=True)
        return values, scale.reshape(self.units)

    def _quantize_int8(self, kernel: torch.Tensor, config) -> None:
        values = self._int8_values(kernel, config)
        self._int8_build(tuple(kernel.shape), config)
        self._assign_quantized(values)

    def _dequantized_weight(self, compute: torch.dtype) -> torch.Tensor:
        if self.quantization_mode == "int4":
            return self._int4_float_kernel(compute)
        return self._stored.to(compute) / self.kernel_scale

    def _int8_call(self, inputs):
        compute = self.dtype_policy.torch_compute_dtype
        if self.inputs_quantizer:
            quantized, inputs_scale = self.inputs_quantizer(inputs, axis=-1)
            outputs = int8_matmul(quantized, self._stored).to(compute) / (
                self.kernel_scale * inputs_scale)
        else:
            outputs = torch.matmul(inputs, self._stored.to(compute)) / self.kernel_scale
        outputs = straight_through(outputs, inputs, lambda x: torch.matmul(
            x, self._stored.to(compute) / self.kernel_scale))
        return self._finish(outputs, inputs)

    def _int4_call(self, inputs):
        compute = self.dtype_policy.torch_compute_dtype
        if self._int4_block_size is not None:
            return self._finish(torch.matmul(inputs, self._int4_float_kernel(compute)), inputs)
        kernel = unpack_int4(self._stored, self.units, axis=-1)
        if self.inputs_quantizer:
            quantized, inputs_scale = self.inputs_quantizer(inputs, axis=-1)
            outputs = int8_matmul(quantized, kernel).to(compute) / (
                self.kernel_scale * inputs_scale)
        else:
            outputs = torch.matmul(inputs, kernel.to(compute)) / self.kernel_scale
        return self._finish(straight_through(outputs, inputs, lambda x: torch.matmul(
            x, kernel.to(compute) / self.kernel_scale)), inputs)


class EinsumDenseQuantization(Int4KernelMixin, CalibratedKernelMixin, Float8Mixin,
                              QuantizableMixin):
    _quantizable_class = "EinsumDense"
    _quantization_modes = ("int8", "int4", "float8", "gptq", "awq")
    _zero_point_name = "zero_point"

    def _int4_matrix(self, kernel_shape: tuple) -> tuple[int, int]:
        """Keras's flattening: a plain reshape to (contracted sizes, the other sizes)."""
        _, weights, outputs = self._full_letters()
        rows = math.prod(n for n, c in zip(kernel_shape, weights, strict=True)
                         if c not in outputs)
        return rows, math.prod(kernel_shape) // rows

    def _int4_call(self, inputs, training=None):
        letters, _, outputs_letters = self._full_letters()
        compute = self.dtype_policy.torch_compute_dtype
        kernel = self._int4_float_kernel(compute).reshape(self._float_kernel_shape)
        if self._int4_block_size is None and self.inputs_quantizer:
            reduced = tuple(i for i, c in enumerate(letters) if c not in outputs_letters)
            quantized, inputs_scale = self.inputs_quantizer(inputs, axis=reduced)
            outputs = torch.einsum(self.equation, quantized.to(compute), kernel) / _align(
                inputs_scale, letters, outputs_letters)
            outputs = straight_through(outputs, inputs,
                                       lambda x: torch.einsum(self.equation, x, kernel))
        else:
            outputs = torch.einsum(self.equation, inputs, kernel)
        return self._finish(outputs, inputs)

    def _float8_product(self, x, kernel):
        return torch.einsum(self.equation, x, kernel)

    def _int8_build(self, kernel_shape: tuple, config) -> None:
        self.inputs_quantizer = QuantizationConfig.activation_quantizer_or_default(
            config, AbsMaxQuantizer())
        inputs, weights, outputs = self._full_letters()
        scale_shape = tuple(kernel_shape[weights.index(c)] if c in weights else 1
                            for c in outputs)
        self._add_int8_weights(kernel_shape, scale_shape, "kernel_scale")

    def _int8_values(self, kernel: torch.Tensor, config) -> tuple:
        inputs, weights, outputs = self._full_letters()
        reduced = tuple(i for i, c in enumerate(weights) if c not in outputs)
        quantizer = QuantizationConfig.weight_quantizer_or_default(
            config, AbsMaxQuantizer(axis=reduced))
        values, scale = quantizer(kernel, to_numpy=True)
        return values, _align(scale, weights, outputs)

    def _quantize_int8(self, kernel: torch.Tensor, config) -> None:
        values = self._int8_values(kernel, config)
        self._int8_build(tuple(kernel.shape), config)
        self._assign_quantized(values)

    def _dequantized_weight(self, compute: torch.dtype) -> torch.Tensor:
        if self.quantization_mode == "int4":
            return self._int4_float_kernel(compute).reshape(self._float_kernel_shape)
        _, weights, outputs = self._full_letters()
        return self._stored.to(compute) / _align(self.kernel_scale, outputs, weights)

    def _lora_input_product(self, inputs, factor) -> torch.Tensor:
        return torch.einsum(self.equation, inputs, factor)

    def _int8_call(self, inputs, training=None):
        letters, weights, outputs_letters = self._full_letters()
        compute = self.dtype_policy.torch_compute_dtype
        if self.inputs_quantizer:
            reduced = tuple(i for i, c in enumerate(letters) if c not in outputs_letters)
            quantized, inputs_scale = self.inputs_quantizer(inputs, axis=reduced)
            outputs = self._exact_einsum(quantized, weights, outputs_letters).to(compute) / (
                _align(inputs_scale, letters, outputs_letters) * self.kernel_scale)
        else:
            outputs = torch.einsum(self.equation, inputs, self._stored.to(compute))
            outputs = outputs / self.kernel_scale
        return self._finish(straight_through(outputs, inputs, lambda x: torch.einsum(
            self.equation, x, self._stored.to(compute)) / self.kernel_scale), inputs)

    def _exact_einsum(self, quantized, weights: str, outputs: str) -> torch.Tensor:
        """The int8 einsum's exact integer result (float32 while sums stay below 2**24)."""
        contracted = math.prod(self._stored.shape[i] for i, c in enumerate(weights)
                               if c not in outputs)
        dtype = torch.float32 if contracted * 127 * 128 < 2 ** 24 else torch.float64
        return torch.einsum(self.equation, quantized.to(dtype), self._stored.to(dtype))

    def _full_letters(self) -> tuple[str, str, str]:
        """The equation's letters with the axes under "..." spelled out (for the built
        input rank)."""
        inputs, weights, outputs, side = self._spec
        used = set(inputs + weights + outputs)
        spare = [c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in used]
        extra = "".join(spare[: self.input_spec.ndim - len(inputs)]) if side else ""
        if side == "left":
            return extra + inputs, weights, extra + outputs
        return inputs + extra, weights, outputs + extra


def int4_block_size(layer, config):
    """The rows per int4 scale group: the config's, else the layer's Int4DTypePolicy's; None
    (or -1) means one scale per output channel."""
    if isinstance(config, Int4QuantizationConfig):
        block = config.block_size
    else:
        block = getattr(layer.dtype_policy, "block_size", None)
    return None if block in (None, -1) else block


def _align(scale: torch.Tensor, letters: str, outputs: str) -> torch.Tensor:
    """A scale computed with kept dims over `letters` laid out for the output: its axes in
    the output's order, 1 on output axes it lacks."""
    kept = [c for c in letters if c in outputs]
    squeezed = scale.reshape([size for size, c in zip(scale.shape, letters, strict=True)
                              if c in outputs])
    order = sorted(range(len(kept)), key=lambda i: outputs.index(kept[i]))
    ordered = squeezed.permute(order)
    ordered_letters = [kept[i] for i in order]
    return ordered.reshape([ordered.shape[ordered_letters.index(c)] if c in ordered_letters
                            else 1 for c in outputs])
