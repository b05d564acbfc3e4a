"""`GPTQDTypePolicy`: "gptq/<weight_bits>/<group_size>_from_<source>"."""

from __future__ import annotations

from hocsau.quantizers.calibrated_dtype_policy import CalibratedDTypePolicy
from hocsau.saving.serialization import keras_class


@keras_class("keras.dtype_policies")
class GPTQDTypePolicy(CalibratedDTypePolicy):
    """Args: mode ("gptq/4/128": weight bits 2, 3, 4 or 8; group size, -1 per channel),
    source_name (the float policy quantized from)."""

    _algorithm = "gptq"
    _bits = (2, 3, 4, 8)
