"""`AWQDTypePolicy`: "awq/4/<group_size>_from_<source>"."""

from __future__ import annotations

from hocsau.quantizers.calibrated_dtype_policy import CalibratedDTypePolicy
from hocsau.saving.serialization import keras_class


@keras_class("keras.dtype_policies")
class AWQDTypePolicy(CalibratedDTypePolicy):
    """Args: mode ("awq/4/128": 4-bit weights; group size, -1 per channel), source_name
    (the float policy quantized from)."""

    _algorithm = "awq"
