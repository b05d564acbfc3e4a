"""The Keras 3 `.keras` format: a zip archive of config.json (the model's config),
metadata.json (version, date), model.weights.h5 (weights and optimizer state in Keras's
layout) and, for objects with `save_assets` hooks, files under assets/ (see `assets_store`).
Files written here load in Keras 3 and files from Keras 3 load here.

Loading never unpickles and never imports code; a damaged or foreign file raises a ValueError
naming the file and what is wrong.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import warnings
import zipfile
import zlib

import h5py

from hocsau.saving import assets_store, weights_store
from hocsau.saving.atomic import atomic_write
from hocsau.saving.h5_weights import errors_naming, open_h5
from hocsau.saving.lambda_code import SafeModeScope
from hocsau.saving.serialization import (
    CustomObjectScope,
    deserialize_keras_object,
    serialize_keras_object,
)
from hocsau.utils.config_nesting import parse_config_json

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
# The Keras release whose file layout these files follow (Keras reads it as the writer's).
KERAS_FORMAT_VERSION = "3.15.1"
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, RuntimeError,
               NotImplementedError)


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
    config = model_to_json_config(model)
    metadata = json.dumps({"keras_version": KERAS_FORMAT_VERSION, "hocsau_version": _version(),
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    weights = io.BytesIO()
    with assets_store.writing_folder() as folder:
        with h5py.File(weights, "w") as h5file:
            weights_store.save_state(model, h5file, assets_folder=folder)
        assets = assets_store.folder_entries(folder)
    with atomic_write(filepath) as tmp:
        with zipfile.ZipFile(tmp, "w") as archive:
            archive.writestr(METADATA_FILENAME, metadata)
            archive.writestr(CONFIG_FILENAME, config)
            archive.writestr(WEIGHTS_FILENAME, weights.getvalue())
            for name, contents in assets.items():
                archive.writestr(name, contents)


def _version() -> str:
    import hocsau

    return hocsau.__version__


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Rebuild a model from a `.keras` file: its config, weights and (with `compile=True`)
    its compile settings and optimizer state."""
    filepath = os.fspath(filepath)
    config_text, weights, assets = _read_archive(filepath)
    config = _parse_config(config_text, filepath)
    if not compile:
        config.pop("compile_config", None)
    model = rebuild(config, filepath, custom_objects, safe_mode)
    with assets_store.reading_folder(assets, filepath) as folder:
        _load_weights_bytes(model, weights, filepath, assets_folder=folder)
    return model


def rebuild(config: dict, filepath: str, custom_objects, safe_mode):
    """The object of a file's config; errors name the file."""
    config = drop_unset_newer_keys(config)
    with SafeModeScope(safe_mode), CustomObjectScope(custom_objects or {}):
        try:
            return deserialize_keras_object(config, custom_objects=custom_objects,
                                            safe_mode=safe_mode)
        except (TypeError, KeyError, AttributeError, ValueError) as error:
            raise ValueError(f"Could not rebuild the model stored in '{filepath}': "
                             f"{error}") from error


def load_weights_from_archive(model, filepath, skip_mismatch: bool = False) -> None:
    """`model.load_weights` on a `.keras` file: only its weights are read (not its assets,
    as in Keras)."""
    _, weights, _ = _read_archive(os.fspath(filepath))
    _load_weights_bytes(model, weights, os.fspath(filepath), skip_mismatch)


def _load_weights_bytes(model, weights: bytes, filepath: str, skip_mismatch=False,
                        assets_folder=None) -> None:
    with open_h5(io.BytesIO(weights), f"{filepath}/{WEIGHTS_FILENAME}") as h5file:
        with errors_naming(filepath):
            weights_store.load_state(model, h5file, skip_mismatch=skip_mismatch,
                                     assets_folder=assets_folder)


def _read_archive(filepath: str) -> tuple[str, bytes, dict[str, bytes]]:
    """The archive's config text, weights file and `assets/` entries."""
    if not os.path.exists(filepath):
        raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is an "
                         "accessible `.keras` zip file.")
    if not zipfile.is_zipfile(filepath):
        raise ValueError(f"'{filepath}' is not a `.keras` file: it is not a zip archive "
                         "(truncated, corrupt, or another format).")
    try:
        with zipfile.ZipFile(filepath) as archive:
            names = set(archive.namelist())
            for required in (CONFIG_FILENAME, WEIGHTS_FILENAME):
                if required not in names:
                    raise ValueError(f"'{filepath}' is not a valid `.keras` file: it has no "
                                     f"{required}. Received entries: {sorted(names)}")
                _reject_bomb(archive.getinfo(required), filepath)
            config = archive.read(CONFIG_FILENAME)
            weights = archive.read(WEIGHTS_FILENAME)
            assets = _read_assets(archive, filepath)
    except _ZIP_ERRORS as error:
        raise ValueError(f"'{filepath}' is corrupt: {type(error).__name__}: {error}") from None
    try:
        return config.decode("utf-8"), weights, assets
    except UnicodeDecodeError:
        raise ValueError(f"'{filepath}' is corrupt: {CONFIG_FILENAME} is not UTF-8 text.") \
            from None


def _read_assets(archive: zipfile.ZipFile, filepath: str) -> dict[str, bytes]:
    assets = {}
    for info in archive.infolist():
        if info.filename.startswith(f"{assets_store.ASSETS_DIRNAME}/") and not info.is_dir():
            _reject_bomb(info, filepath)
            assets[info.filename] = archive.read(info)
    return assets


_MAX_CONFIG_BYTES = 256 * 2**20
_MAX_RATIO = 1000


def _reject_bomb(info: zipfile.ZipInfo, filepath: str) -> None:
    """Refuse entries that would expand far beyond any real model (a zip bomb)."""
    too_big = info.filename == CONFIG_FILENAME and info.file_size > _MAX_CONFIG_BYTES
    ratio = info.file_size / max(info.compress_size, 1)
    if too_big or (info.file_size > 2**30 and ratio > _MAX_RATIO):
        raise ValueError(f"'{filepath}' is not a valid `.keras` file: {info.filename} would "
                         f"expand to {info.file_size} bytes from {info.compress_size}.")


def _parse_config(text: str, filepath: str) -> dict:
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"'{filepath}' has an invalid {CONFIG_FILENAME}: {error}") from None
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
