"""`Quantizer`: the base of Keras's quantizers (a callable giving a quantized tensor)."""

from __future__ import annotations

from hocsau.saving.serialization import keras_class


@keras_class("keras.quantizers")
class Quantizer:
    """Maps a float tensor to its quantized form; the base returns it unchanged.

    Args:
        output_dtype: the dtype of the quantized values ("int8").
    """

    def __init__(self, output_dtype: str = "int8"):
        self.output_dtype = output_dtype

    def __call__(self, x):
        return x

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def get_config(self) -> dict:
        return {"output_dtype": self.output_dtype}
