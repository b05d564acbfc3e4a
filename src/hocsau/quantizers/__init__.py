"""Quantization as Keras 3 does it: quantizers, quantization configs and the functions
behind `Model.quantize` ("int8", "int4", "float8", and "gptq" / "awq" calibrated on data).

Quantized layers (Dense, EinsumDense, Embedding) get their weights, call and file layout
from `layer_quantization.py`; their policies ("int8_from_float32", ...) live here too and
are re-exported by `hocsau.dtype_policies`.
"""

from hocsau.quantizers.abs_max_quantizer import AbsMaxQuantizer
from hocsau.quantizers.awq_config import AWQConfig
from hocsau.quantizers.float8 import (
    compute_float8_amax_history,
    compute_float8_scale,
    fake_quant_with_min_max_vars,
    quantize_and_dequantize,
)
from hocsau.quantizers.float8_quantization_config import Float8QuantizationConfig
from hocsau.quantizers.functions import (
    abs_max_quantize,
    abs_max_quantize_grouped_with_zero_point,
    pack_int4,
    unpack_int4,
)
from hocsau.quantizers.gptq_config import GPTQConfig
from hocsau.quantizers.int4_quantization_config import Int4QuantizationConfig
from hocsau.quantizers.int8_quantization_config import Int8QuantizationConfig
from hocsau.quantizers.quantization_config import QuantizationConfig
from hocsau.quantizers.quantizer import Quantizer
from hocsau.saving.serialization import deserialize_keras_object, serialize_keras_object

_OBJECTS = {cls.__name__: cls for cls in (
    Quantizer, AbsMaxQuantizer, QuantizationConfig, Int8QuantizationConfig,
    Int4QuantizationConfig, Float8QuantizationConfig, GPTQConfig, AWQConfig)}
_OBJECTS.update({"abs_max_quantizer": AbsMaxQuantizer, "quantizer": Quantizer})


def serialize(initializer) -> dict:
    """A quantizer as a Keras config dict (Keras names the argument `initializer`)."""
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, module_objects=_OBJECTS,
                                    custom_objects=custom_objects)


def get(identifier, **kwargs):
    """A quantizer (or config) from None, a config dict, a class name or an instance."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    found = _OBJECTS.get(identifier) if isinstance(identifier, str) else identifier
    if isinstance(found, type):
        return found(**kwargs)
    if found is None or not callable(found) and not isinstance(found, QuantizationConfig):
        raise ValueError(f"Could not interpret quantizer identifier: {identifier}")
    return found


__all__ = [
    "AWQConfig", "AbsMaxQuantizer", "Float8QuantizationConfig", "GPTQConfig",
    "Int4QuantizationConfig",
    "Int8QuantizationConfig", "QuantizationConfig", "Quantizer", "abs_max_quantize",
    "abs_max_quantize_grouped_with_zero_point", "compute_float8_amax_history",
    "compute_float8_scale", "deserialize", "fake_quant_with_min_max_vars", "get", "pack_int4",
    "quantize_and_dequantize", "serialize", "unpack_int4",
]
