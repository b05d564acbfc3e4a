"""`Int8QuantizationConfig`: int8 weights, and int8 inputs quantized per row at call time."""

from __future__ import annotations

from hocsau.quantizers.abs_max_quantizer import AbsMaxQuantizer
from hocsau.quantizers.quantization_config import QuantizationConfig
from hocsau.saving.serialization import keras_class


@keras_class("keras.quantizers")
class Int8QuantizationConfig(QuantizationConfig):
    """Args: weight_quantizer (output_dtype int8), activation_quantizer ("default": an
    `AbsMaxQuantizer` over the last axis; None: weight-only)."""

    def __init__(self, weight_quantizer=None, activation_quantizer="default"):
        if activation_quantizer == "default":
            activation_quantizer = AbsMaxQuantizer()
        super().__init__(weight_quantizer, activation_quantizer)
        if weight_quantizer is not None and weight_quantizer.output_dtype != "int8":
            raise ValueError("Int8QuantizationConfig requires a weight_quantizer with "
                             "output_dtype='int8'. Received: "
                             f"output_dtype={weight_quantizer.output_dtype}")

    @property
    def mode(self) -> str:
        return "int8"
