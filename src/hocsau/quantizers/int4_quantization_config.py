"""`Int4QuantizationConfig`: int4 weights (two per byte), per channel or per block of rows."""

from __future__ import annotations

from hocsau.quantizers.quantization_config import QuantizationConfig
from hocsau.saving.serialization import deserialize_keras_object, keras_class


@keras_class("keras.quantizers")
class Int4QuantizationConfig(QuantizationConfig):
    """Args: weight_quantizer (value_range (-8, 7)), activation_quantizer ("default": none,
    weight-only), block_size (rows per scale group, default 128; None or -1: one scale per
    output channel)."""

    def __init__(self, weight_quantizer=None, activation_quantizer="default",
                 block_size=128):
        if activation_quantizer == "default":
            activation_quantizer = None
        super().__init__(weight_quantizer, activation_quantizer)
        if block_size is not None and block_size != -1 and block_size <= 0:
            raise ValueError("block_size must be None, -1, or a positive integer. "
                             f"Received: block_size={block_size}")
        self.block_size = block_size
        if block_size is not None and block_size > 0 and (
                weight_quantizer is not None or activation_quantizer is not None):
            raise ValueError("Int4 sub-channel quantization (block_size > 0) does not support "
                             "custom quantizers. Either set block_size to None or -1 for "
                             "per-channel quantization, or remove the custom quantizer "
                             f"arguments. Received: block_size={block_size}")
        if weight_quantizer is not None and tuple(weight_quantizer.value_range) != (-8, 7):
            raise ValueError("Int4QuantizationConfig requires a weight_quantizer with "
                             "value_range=(-8, 7). Received: "
                             f"value_range={weight_quantizer.value_range}")

    @property
    def mode(self) -> str:
        return "int4"

    def get_config(self) -> dict:
        return {**super().get_config(), "block_size": self.block_size}

    @classmethod
    def from_config(cls, config: dict):
        return cls(weight_quantizer=deserialize_keras_object(config.get("weight_quantizer")),
                   activation_quantizer=deserialize_keras_object(
                       config.get("activation_quantizer")),
                   block_size=config.get("block_size"))
