"""`GPTQConfig`: post-training quantization that corrects each weight column's rounding
error with the inverse Hessian of the layer's calibration inputs (GPTQ, Frantar et al.)."""

from __future__ import annotations

from hocsau.quantizers.calibration_config import CalibrationConfig
from hocsau.saving.serialization import keras_class


@keras_class("keras.quantizers")
class GPTQConfig(CalibrationConfig):
    """The settings of `model.quantize("gptq", config=GPTQConfig(...))`.

    Example:
        config = GPTQConfig(dataset=texts, tokenizer=tokenizer, weight_bits=4,
                            group_size=128, quantization_layer_structure={
                                "pre_block_layers": [embedding],
                                "sequential_blocks": blocks})
        model.quantize("gptq", config=config)

    Args:
        dataset, tokenizer, num_samples, sequence_length, group_size,
        quantization_layer_structure: see `CalibrationConfig`.
        weight_bits: 2, 3, 4 (stored two a byte) or 8.
        per_channel: one scale per output channel (else per tensor) when not grouped.
        hessian_damping: fraction of the Hessian's mean diagonal added to its diagonal.
        symmetric: zero points fixed at the middle of the range.
        activation_order: quantize columns in order of decreasing Hessian diagonal.
    """

    def __init__(self, dataset, tokenizer, *, weight_bits: int = 4, num_samples: int = 128,
                 per_channel: bool = True, sequence_length: int = 512,
                 hessian_damping: float = 0.01, group_size: int = 128,
                 symmetric: bool = False, activation_order: bool = False,
                 quantization_layer_structure: dict | None = None):
        if weight_bits not in (2, 3, 4, 8):
            raise ValueError(f"Unsupported weight_bits {weight_bits}. Supported values are "
                             "2, 3, 4, and 8.")
        if not 0 <= hessian_damping <= 1:
            raise ValueError("hessian_damping must be between 0 and 1. Received: "
                             f"hessian_damping={hessian_damping}")
        super().__init__(dataset, tokenizer, num_samples=num_samples,
                         sequence_length=sequence_length, group_size=group_size,
                         quantization_layer_structure=quantization_layer_structure)
        self.weight_bits = weight_bits
        self.per_channel = per_channel
        self.hessian_damping = hessian_damping
        self.symmetric = symmetric
        self.activation_order = activation_order

    @property
    def mode(self) -> str:
        return "gptq"

    def get_config(self) -> dict:
        return {**super().get_config(), "weight_bits": self.weight_bits,
                "per_channel": self.per_channel, "hessian_damping": self.hessian_damping,
                "symmetric": self.symmetric, "activation_order": self.activation_order}
