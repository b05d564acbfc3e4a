"""The Keras 3 `.keras` format: a zip archive of config.json (the model's config),
metadata.json (version, date), model.weights.h5 (weights and optimizer state in Keras's
layout) and, for objects with `save_assets` hooks, files under assets/ (see `assets_store`).
Files written here load in Keras 3 and files from Keras 3 load here.

Loading never unpickles and never imports code; a damaged or foreign file raises a ValueError
naming the file and what is wrong. Reading goes through `keras_archive.KerasArchive` (limits,
lazily extracted assets, checksums); the files written here record a SHA-256 of each entry in
metadata.json.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import warnings
import zipfile

import h5py

from hocsau.saving import assets_store, bounded_json, weights_store
from hocsau.saving.atomic import atomic_write, scratch_folder
from hocsau.saving.h5_weights import errors_naming, open_h5
from hocsau.saving.keras_archive import (
    CHECKSUMS_KEY,
    CONFIG_FILENAME,
    METADATA_FILENAME,
    WEIGHTS_FILENAME,
    KerasArchive,
    sha256,
)
from hocsau.saving.lambda_code import SafeModeScope, in_safe_mode
from hocsau.saving.serialization import (
    CustomObjectScope,
    deserialize_keras_object,
    serialize_keras_object,
)
from hocsau.utils.config_nesting import parse_config_json

# The Keras release whose file layout these files follow (Keras reads it as the writer's).
KERAS_FORMAT_VERSION = "3.15.1"


def model_to_json_config(model) -> str:
    """The model's serialized config as Keras writes it into config.json."""
    return json.dumps(serialize_keras_object(model), default=_json_default)


def _json_default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"Cannot serialize {value!r} (of type {type(value).__name__}) to JSON.")


def save_model(model, filepath, overwrite: bool = True) -> None:
    """Write `model` to a `.keras` file, atomically (an interrupted save keeps the old file)."""
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError("Invalid `filepath` argument: expected a `.keras` extension. "
                         f"Received: filepath={filepath}")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"File {filepath} already exists and overwrite=False.")
    if not model.built:
        warnings.warn("You are saving a model that has not yet been built. It might not "
                      "contain any weights yet. Consider building the model first by calling "
                      "it on some data.", stacklevel=3)
    with scratch_folder(filepath) as folder:
        weights = io.BytesIO()
        with h5py.File(weights, "w") as h5file:
            weights_store.save_state(model, h5file, assets_folder=folder)
        entries = {CONFIG_FILENAME: model_to_json_config(model).encode("utf-8"),
                   WEIGHTS_FILENAME: weights.getvalue(), **assets_store.folder_entries(folder)}
    metadata = {"keras_version": KERAS_FORMAT_VERSION, "hocsau_version": _version(),
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
                CHECKSUMS_KEY: {name: sha256(data) for name, data in entries.items()}}
    with atomic_write(filepath) as tmp:
        with zipfile.ZipFile(tmp, "w") as archive:
            archive.writestr(METADATA_FILENAME, json.dumps(metadata))
            for name, data in entries.items():
                archive.writestr(name, data)


def _version() -> str:
    import hocsau

    return hocsau.__version__


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Rebuild a model from a `.keras` file: its config, weights and (with `compile=True`)
    its compile settings and optimizer state."""
    filepath = os.fspath(filepath)
    with KerasArchive(filepath) as archive:
        config = _parse_config(archive.config_text(), filepath)
        if not compile:
            config.pop("compile_config", None)
        model = rebuild(config, filepath, custom_objects, safe_mode)
        _load_weights_bytes(model, archive.read(WEIGHTS_FILENAME), filepath, assets=archive)
    return model


def rebuild(config: dict, filepath: str, custom_objects, safe_mode):
    """The object of a file's config; errors name the file. An enclosing scope or
    `enable_unsafe_deserialization()` decides the safe mode before `safe_mode`, as in Keras."""
    config = drop_unset_newer_keys(config)
    decided = in_safe_mode()
    safe_mode = decided if decided is not None else safe_mode
    with SafeModeScope(safe_mode), CustomObjectScope(custom_objects or {}):
        try:
            return deserialize_keras_object(config, custom_objects=custom_objects,
                                            safe_mode=safe_mode)
        except (TypeError, KeyError, AttributeError, ValueError) as error:
            raise ValueError(f"Could not rebuild the model stored in '{filepath}': "
                             f"{error}") from error
        except RecursionError:
            raise ValueError(f"Could not rebuild the model stored in '{filepath}': its config "
                             "nests too deeply.") from None


def load_weights_from_archive(model, filepath, skip_mismatch: bool = False) -> None:
    """`model.load_weights` on a `.keras` file: only its weights are read (not its assets,
    as in Keras)."""
    filepath = os.fspath(filepath)
    with KerasArchive(filepath) as archive:
        weights = archive.read(WEIGHTS_FILENAME)
    _load_weights_bytes(model, weights, filepath, skip_mismatch)


def _load_weights_bytes(model, weights: bytes, filepath: str, skip_mismatch=False,
                        assets=None) -> None:
    with open_h5(weights, f"{filepath}/{WEIGHTS_FILENAME}") as h5file:
        with errors_naming(filepath):
            weights_store.load_state(model, h5file, skip_mismatch=skip_mismatch, assets=assets)


def _parse_config(text: str, filepath: str) -> dict:
    config = bounded_json.loads(text, filepath, CONFIG_FILENAME)
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(f"'{filepath}' has an invalid {CONFIG_FILENAME}: expected a model "
                         "config with 'class_name' and 'config' keys. Received: "
                         f"{str(config)[:200]}")
    return config


def drop_unset_newer_keys(value):
    """Remove keys newer Keras versions add to layer configs when unset (Dense's
    `quantization_config: null`), which the layers here do not take."""
    if isinstance(value, list):
        return [drop_unset_newer_keys(v) for v in value]
    if isinstance(value, dict):
        return {k: drop_unset_newer_keys(v) for k, v in value.items()
                if not (k in _NEWER_KEYS and v is None)}
    return value


_NEWER_KEYS = ("quantization_config",)


def model_from_json(json_string: str, custom_objects=None):
    """A new (uninitialized) model from `model.to_json()`'s output."""
    config = parse_config_json(json_string)
    with CustomObjectScope(custom_objects or {}):
        return deserialize_keras_object(config, custom_objects=custom_objects)
