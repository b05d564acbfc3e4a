"""`QuantizedDTypePolicy`: "<mode>_from_<source policy>", e.g. "int8_from_float32"."""

from __future__ import annotations

from hocsau.dtype_policies import DTypePolicy, global_policy
from hocsau.quantizers.quantization_config import check_mode
from hocsau.saving.serialization import keras_class


@keras_class("keras.dtype_policies")
class QuantizedDTypePolicy(DTypePolicy):
    """The policy of a quantized layer: its source policy's compute and variable dtypes, and
    the quantization `mode`. A layer built under it creates quantized weights.

    Args:
        mode: "int8", "int4" or "float8".
        source_name: the float policy it was quantized from (default: the global one).
    """

    def __init__(self, mode: str, source_name: str | None = None):
        source_name = global_policy().name if source_name is None else source_name
        super().__init__(source_name)
        check_mode(mode)
        if mode == "int8" and self.compute_dtype == "float16":
            raise ValueError(f"Quantization mode='{mode}' doesn't work well with "
                             "compute_dtype='float16'.")
        self._name = f"{mode}_from_{source_name}"
        self._source_name = source_name
        self._quantization_mode = mode

    @property
    def quantization_mode(self) -> str:
        return self._quantization_mode

    def get_config(self) -> dict:
        return {"mode": self._quantization_mode, "source_name": self._source_name}

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash(self._name)
