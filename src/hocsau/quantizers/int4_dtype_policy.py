"""`Int4DTypePolicy`: "int4/<block_size>_from_<source>" (block -1: per output channel)."""

from __future__ import annotations

from hocsau.quantizers.quantized_dtype_policy import QuantizedDTypePolicy
from hocsau.saving.serialization import keras_class


@keras_class("keras.dtype_policies")
class Int4DTypePolicy(QuantizedDTypePolicy):
    """Args: mode ("int4/<block_size>"), source_name."""

    def __init__(self, mode: str, source_name: str | None = None):
        parts = mode.split("/")
        if len(parts) != 2 or parts[0] != "int4":
            raise ValueError("Invalid mode for Int4DTypePolicy. Expected format "
                             f"'int4/<block_size>', but got '{mode}'.")
        try:
            block_size = int(parts[1])
        except ValueError:
            raise ValueError("Invalid mode for Int4DTypePolicy. <block_size> must be an "
                             "integer. Expected format 'int4/<block_size>', but got "
                             f"'{mode}'.") from None
        if block_size < -1 or block_size == 0:
            raise ValueError("Invalid block_size in mode. Supported values are -1 "
                             "(per-channel) or a positive integer (sub-channel), but got "
                             f"{block_size} from '{mode}'.")
        super().__init__(mode="int4", source_name=source_name)
        self._name = f"{mode}_from_{self._source_name}"
        self.block_size = block_size

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": f"int4/{self.block_size}"}
