"""`hocsau.dtype_policies`: dtype policies (`DTypePolicy`, `DTypePolicyMap`) and their
serialization, as Keras's `keras.dtype_policies`."""

from hocsau.dtype_policies.dtype_policy import (
    DTypePolicy,
    FloatDTypePolicy,
    get,
    global_policy,
    set_global_policy,
)
from hocsau.dtype_policies.dtype_policy_map import DTypePolicyMap
from hocsau.quantizers.awq_dtype_policy import AWQDTypePolicy
from hocsau.quantizers.gptq_dtype_policy import GPTQDTypePolicy
from hocsau.quantizers.int4_dtype_policy import Int4DTypePolicy
from hocsau.quantizers.quantized_dtype_policy import QuantizedDTypePolicy
from hocsau.quantizers.quantized_float8_dtype_policy import QuantizedFloat8DTypePolicy
from hocsau.saving import serialization

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in (
    DTypePolicy, FloatDTypePolicy, DTypePolicyMap, QuantizedDTypePolicy,
    QuantizedFloat8DTypePolicy, Int4DTypePolicy, GPTQDTypePolicy, AWQDTypePolicy)}


def serialize(dtype_policy) -> dict:
    """A dtype policy as a Keras config dict."""
    return serialization.serialize_keras_object(dtype_policy)


def deserialize(config, custom_objects: dict | None = None):
    """A dtype policy from `serialize`'s output."""
    return serialization.deserialize_keras_object(
        config, module_objects=ALL_OBJECTS_DICT, custom_objects=custom_objects)


__all__ = ["AWQDTypePolicy", "DTypePolicy", "DTypePolicyMap", "FloatDTypePolicy",
           "GPTQDTypePolicy", "Int4DTypePolicy", "QuantizedDTypePolicy",
           "QuantizedFloat8DTypePolicy", "deserialize", "get", "global_policy", "serialize",
           "set_global_policy"]
