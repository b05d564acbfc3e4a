"""The int8 and int4 forms of Embedding (Keras's weights, scales and lookups).

    embeddings int8 (input_dim, output_dim), embeddings_scale (input_dim,): one scale a row;
    int4: rows packed two values a byte, one scale a row, or a scale and a zero point per
    block of `block_size` columns (embeddings_zero, g_idx).

A row is `127 / max|row|` times the float row, rounded; lookups divide by the row's scale.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from hocsau.quantizers.abs_max_quantizer import AbsMaxQuantizer
from hocsau.quantizers.functions import (
    abs_max_quantize_grouped_with_zero_point,
    pack_int4,
    unpack_int4,
)
from hocsau.quantizers.layer_quantization import QuantizableMixin
from hocsau.quantizers.quantization_config import QuantizationConfig
from hocsau.quantizers.quantized_layers import int4_block_size


class EmbeddingQuantization(QuantizableMixin):
    _quantizable_class = "Embedding"
    _quantized_weight = "embeddings"
    _quantization_modes = ("int8", "int4")

    def _int8_build(self, embeddings_shape: tuple, config) -> None:
        self._add_int8_weights(embeddings_shape, (self.input_dim,), "embeddings_scale")

    def _int8_values(self, embeddings: torch.Tensor, config) -> tuple:
        quantizer = QuantizationConfig.weight_quantizer_or_default(config,
                                                                   AbsMaxQuantizer(axis=-1))
        values, scale = quantizer(embeddings, to_numpy=True)
        return values, scale.reshape(self.input_dim)

    def _quantize_int8(self, embeddings: torch.Tensor, config) -> None:
        values = self._int8_values(embeddings, config)
        self._int8_build(tuple(embeddings.shape), config)
        self._assign_quantized(values)

    def _int8_call(self, inputs):
        ids = _ids(inputs)
        rows = F.embedding(ids, self._stored).to(self.dtype_policy.torch_compute_dtype)
        return self._with_lora(rows / F.embedding(ids, self.embeddings_scale[:, None]), ids)

    def _int4_build(self, embeddings_shape: tuple, config) -> None:
        """Rows packed two values a byte, (input_dim, ceil(output_dim / 2)); one scale per
        row, or per block of `block_size` columns with a zero point."""
        block = self._int4_block_size = int4_block_size(self, config)
        rows, columns = embeddings_shape
        scale_shape = (rows,) if block is None else (rows, math.ceil(columns / block))
        self._add_int8_weights((rows, (columns + 1) // 2), scale_shape, "embeddings_scale")
        if block is not None:
            self.embeddings_zero = self._add_fixed("embeddings_zero", scale_shape, "int8")
            self.g_idx = self._add_fixed("g_idx", (columns,))
            self.g_idx.copy_(torch.div(torch.arange(columns), block, rounding_mode="floor"))

    def _int4_values(self, embeddings: torch.Tensor, config) -> tuple:
        block = int4_block_size(self, config)
        zero = None
        if block is None:
            quantizer = QuantizationConfig.weight_quantizer_or_default(
                config, AbsMaxQuantizer(axis=-1, value_range=(-8, 7)))
            values, scale = quantizer(embeddings, to_numpy=True)
            scale = scale.reshape(self.input_dim)
        else:  # groups of columns: Keras quantizes the transposed table
            values, scale, zero = abs_max_quantize_grouped_with_zero_point(
                embeddings.T, block_size=block, to_numpy=True)
            values, scale, zero = values.T, scale.T, zero.T
        return pack_int4(values, axis=-1)[0], scale, zero

    def _quantize_int4(self, embeddings: torch.Tensor, config) -> None:
        values = self._int4_values(embeddings, config)
        self._int4_build(tuple(embeddings.shape), config)
        self._assign_quantized(values)

    def _int4_call(self, inputs):
        ids = _ids(inputs)
        compute = self.dtype_policy.torch_compute_dtype
        rows = F.embedding(ids, unpack_int4(self._stored, self.output_dim, axis=-1))
        rows = rows.to(compute)
        if self._int4_block_size is None:
            outputs = rows / F.embedding(ids, self.embeddings_scale[:, None])
        else:
            groups = self.g_idx.long()
            zero = F.embedding(ids, self.embeddings_zero)[..., groups].to(compute)
            outputs = (rows - zero) * F.embedding(ids, self.embeddings_scale)[..., groups]
        return self._with_lora(outputs, ids)

    def _dequantized_weight(self, compute: torch.dtype) -> torch.Tensor:
        """The float table (Keras's order of operations)."""
        if self.quantization_mode == "int8":
            return self._stored.to(compute) / self.embeddings_scale[:, None]
        table = unpack_int4(self._stored, self.output_dim, axis=-1).to(compute)
        if self._int4_block_size is None:
            return table / self.embeddings_scale[:, None]
        groups = self.g_idx.long()
        return (table - self.embeddings_zero[:, groups].to(compute)) * \
            self.embeddings_scale[:, groups]

    def _float_weight_shape(self) -> tuple:
        return (self.input_dim, self.output_dim)

    def _lora_input_product(self, ids, factor) -> torch.Tensor:
        return F.embedding(ids, factor)

    def _with_lora(self, outputs, ids):
        return outputs + self._lora_term(ids) if self.lora_enabled else outputs


def _ids(inputs):
    return inputs.long() if inputs.is_floating_point() or inputs.dtype == torch.bool \
        else inputs
