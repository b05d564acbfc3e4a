"""Saving and serialization: objects to Keras configs and back."""

import importlib

from hocsau.saving.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)

__all__ = [
    "CustomObjectScope",
    "KerasFileEditor",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]

# File formats import the layers, which import this package: loaded on first use.
_LAZY = {"KerasFileEditor": "hocsau.saving.file_editor",
         "load_model": "hocsau.saving.saving_api", "load_weights": "hocsau.saving.saving_api",
         "save_model": "hocsau.saving.saving_api", "save_weights": "hocsau.saving.saving_api"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hocsau.saving' has no attribute {name!r}")
