"""The policy of a GPTQ or AWQ layer: "<mode>/<weight_bits>/<group_size>_from_<source>"."""

from __future__ import annotations

from hocsau.quantizers.quantized_dtype_policy import QuantizedDTypePolicy


class CalibratedDTypePolicy(QuantizedDTypePolicy):
    """Base of `GPTQDTypePolicy` and `AWQDTypePolicy` (not public): parses and checks the
    mode; a layer built under it creates the calibrated weights (from a file)."""

    _algorithm = ""
    _bits = (4,)

    def __init__(self, mode: str, source_name: str | None = None):
        algorithm, expected = self._algorithm, f"'{self._algorithm}/<weight_bits>/<group_size>'"
        parts = mode.split("/") if isinstance(mode, str) else []
        if len(parts) != 3 or parts[0] != algorithm:
            raise ValueError(f"Invalid mode for {type(self).__name__}. Expected format "
                             f"{expected}, but got '{mode}'.")
        try:
            weight_bits, group_size = int(parts[1]), int(parts[2])
        except ValueError:
            raise ValueError(f"Invalid mode for {type(self).__name__}. <weight_bits> and "
                             f"<group_size> must be integers. Expected format {expected}, "
                             f"but got '{mode}'.") from None
        if weight_bits not in self._bits:
            raise ValueError(f"Invalid weight_bits in mode. Supported values are {self._bits}, "
                             f"but got {weight_bits} from '{mode}'.")
        if group_size < -1 or group_size == 0:
            raise ValueError("Invalid group_size in mode. Supported values are -1 "
                             f"(per-channel) or a positive integer, but got {group_size} "
                             f"from '{mode}'.")
        super().__init__(mode=algorithm, source_name=source_name)
        self._name = f"{mode}_from_{self._source_name}"
        self.weight_bits = weight_bits
        self.group_size = group_size

    def get_config(self) -> dict:
        mode = f"{self._algorithm}/{self.weight_bits}/{self.group_size}"
        return {**super().get_config(), "mode": mode}
