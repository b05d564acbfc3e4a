"""Models: Model, Functional, Sequential, and model-level utilities.

Loaded lazily because layers import `hocsau.models.symbolic` while the models import layers.
"""

import importlib

_EXPORTS = {
    "Functional": "hocsau.models.functional",
    "Model": "hocsau.models.model",
    "Sequential": "hocsau.models.sequential",
    "clone_model": "hocsau.models.cloning",
    "load_model": "hocsau.saving.saving_api",
    "model_from_json": "hocsau.saving.keras_file",
    "save_model": "hocsau.saving.saving_api",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'hocsau.models' has no attribute {name!r}")
