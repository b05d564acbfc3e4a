"""LoRA on an int8 / int4 layer, as Keras 3 does it (QLoRA): the quantized weight stays
frozen, the float32 factors stay trainable, and the call adds their update to the quantized
product:

    outputs = quantized_product(x) + (lora_alpha / lora_rank) * (x @ a) @ b     # then bias

Quantizing a LoRA layer quantizes its stored weight and keeps the factors; enabling LoRA on a
quantized layer sizes the factors by the float weight's shape. Files hold, as Keras writes
them, the weight with the update merged and quantized again (dequantize, add `a @ b`,
quantize with the mode's default quantizer), new scales included, and no factors.
"""

from __future__ import annotations

import torch

from hocsau.layers._lora import factor_names


class QuantizedLoraMixin:
    """`_lora_term`, the LoRA factor shape and the merged file values of a quantized layer.
    The layer gives `_dequantized_weight(compute)` and `_<mode>_values(weight, config)`."""

    @property
    def _stored(self) -> torch.Tensor:
        """The quantized weight as stored (LoRA's update left out)."""
        return self._parameters[self._quantized_weight]

    def _lora_term(self, inputs) -> torch.Tensor:
        """`(lora_alpha / lora_rank) * product(inputs, a) @ b`."""
        a_name, b_name = factor_names(self._quantized_weight)
        low_rank = self._lora_input_product(inputs, self._parameters[a_name])
        return (self.lora_alpha / self.lora_rank) * torch.matmul(low_rank,
                                                                 self._parameters[b_name])

    def _lora_input_product(self, inputs, factor) -> torch.Tensor:
        return torch.matmul(inputs, factor)

    def _lora_weight_shape(self) -> tuple:
        """The float weight's shape, which the factors follow (int4 stores it packed)."""
        if self._is_quantized and self.quantization_mode == "int4":
            return self._float_weight_shape()
        return tuple(self._stored.shape)

    def _float_weight_shape(self) -> tuple:
        return self._float_kernel_shape

    def _lora_file_values(self) -> dict:
        """{id(variable): value} for the file: the merged weight, quantized again, and its
        scale (and zero point)."""
        if not self._is_quantized:
            return {}
        compute = self.dtype_policy.torch_compute_dtype
        a_name, b_name = factor_names(self._quantized_weight)
        update = torch.matmul(self._parameters[a_name], self._parameters[b_name]) * (
            self.lora_alpha / self.lora_rank)
        merged = (self._dequantized_weight(compute) + update).to(compute)
        values = getattr(self, f"_{self.quantization_mode}_values")(merged.detach(), None)
        prefix = self._quantized_weight
        return {id(self._parameters[prefix + suffix]): value for suffix, value in zip(
            ("", "_scale", "_zero"), values, strict=False) if value is not None}
