"""`Float8QuantizationConfig`: float8 training and inference (no custom quantizers)."""

from __future__ import annotations

from hocsau.quantizers.quantization_config import QuantizationConfig
from hocsau.saving.serialization import keras_class


@keras_class("keras.quantizers")
class Float8QuantizationConfig(QuantizationConfig):
    """Marks float8 mode: inputs and kernels go through float8 with delayed scaling."""

    def __init__(self):
        super().__init__(None, None)

    @property
    def mode(self) -> str:
        return "float8"

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls()
