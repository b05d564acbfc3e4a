"""`QuantizedFloat8DTypePolicy`: "float8_from_<source>", with the amax history length."""

from __future__ import annotations

from hocsau.quantizers.quantized_dtype_policy import QuantizedDTypePolicy
from hocsau.saving.serialization import keras_class


@keras_class("keras.dtype_policies")
class QuantizedFloat8DTypePolicy(QuantizedDTypePolicy):
    """Args: mode ("float8"), source_name, amax_history_length (the window of largest
    magnitudes that delayed scaling reads)."""

    default_amax_history_length = 1024

    def __init__(self, mode: str, source_name: str | None = None,
                 amax_history_length: int = 1024):
        super().__init__(mode=mode, source_name=source_name)
        if not isinstance(amax_history_length, int):
            raise TypeError("`amax_history_length` must be an integer. "
                            f"Received: amax_history_length={amax_history_length}")
        self._amax_history_length = amax_history_length

    @property
    def amax_history_length(self) -> int:
        return self._amax_history_length

    def get_config(self) -> dict:
        return {**super().get_config(), "amax_history_length": self._amax_history_length}
