"""`save_model` / `load_model` / `save_weights` / `load_weights`: one entry point per action,
choosing the format from the file name (`.keras`, `.weights.h5`, sharded `.weights.json`,
legacy `.h5` / `.hdf5`) or Keras 3's unzipped model folder (`zipped=False`). As in Keras 3,
tf.keras 2's SavedModel and `.ckpt` paths are refused with a message naming the formats to use.
"""

from __future__ import annotations

import os

from hocsau.saving import h5_weights, keras_dir, keras_file, sharded_weights

_LEGACY = (".h5", ".hdf5")


def _is_legacy(filepath: str) -> bool:
    return filepath.endswith(_LEGACY) and not filepath.endswith(".weights.h5")


def save_model(model, filepath, overwrite: bool = True, zipped: bool | None = None,
               **kwargs) -> None:
    """Save `model` as a `.keras` archive, a legacy `.h5` file for those suffixes, or (with
    `zipped=False`) an unzipped Keras model folder; other paths are refused, as in Keras 3."""
    filepath = os.fspath(filepath)
    save_format = kwargs.pop("save_format", None)
    if save_format and not filepath.endswith((*_LEGACY, ".keras")):
        raise ValueError("The `save_format` argument is deprecated in Keras 3. Please remove "
                         "this argument and pass a file path with either `.keras` or `.h5` "
                         f"extension.Received: save_format={save_format}")
    if _is_legacy(filepath) and zipped is not False:
        from hocsau.saving import legacy_h5

        legacy_h5.save_model(model, filepath, overwrite=overwrite, **kwargs)
        return
    kwargs.pop("include_optimizer", None)
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    if zipped is False:
        if filepath.endswith(".keras"):
            raise ValueError("When using `zipped=False`, the `filepath` argument should not end "
                             f"in `.keras`. Received: filepath={filepath}")
        keras_dir.save_model(model, filepath, overwrite=overwrite)
        return
    if not filepath.endswith(".keras"):
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension "
            "for the native Keras format (recommended) or a `.h5` extension. Use "
            "`model.export(filepath)` if you want to export a SavedModel for use with "
            f"TFLite/TFServing/etc. Received: filepath={filepath}.")
    keras_file.save_model(model, filepath, overwrite=overwrite)


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Load a model saved by `model.save` here or in Keras (`.keras`, a model folder, or
    legacy `.h5`)."""
    filepath = os.fspath(filepath)
    if keras_dir.is_keras_dir(filepath):
        return keras_dir.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                    safe_mode=safe_mode)
    if filepath.endswith(".weights.h5"):
        raise ValueError(f"'{filepath}' holds weights only: build the model and call "
                         "`model.load_weights(filepath)` instead.")
    if filepath.endswith(_LEGACY):
        from hocsau.saving import legacy_h5

        return legacy_h5.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                    safe_mode=safe_mode)
    if not filepath.endswith(".keras"):
        raise ValueError(f"File format not supported: filepath={filepath}. hocsau supports "
                         "`.keras` files, Keras model folders and legacy `.h5` files.")
    return keras_file.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                 safe_mode=safe_mode)


def save_weights(model, filepath, overwrite: bool = True, max_shard_size: float | None = None,
                 objects_to_skip=None) -> None:
    """Save the weights to a `.weights.h5` file or, with `max_shard_size` (in GB), to
    `.weights.h5` shards listed by a `.weights.json` index (see `sharded_weights`)."""
    filepath = os.fspath(filepath)
    if max_shard_size is None:
        h5_weights.save_weights(model, filepath, overwrite=overwrite,
                                objects_to_skip=objects_to_skip)
        return
    if not filepath.endswith(("weights.h5", "weights.json")):
        raise ValueError("The filename must end in `.weights.json` when `max_shard_size` is "
                         f"specified. Received: filepath={filepath}")
    h5_weights.check_overwrite(filepath, overwrite)
    sharded_weights.save_weights(model, sharded_weights.index_path(filepath), max_shard_size,
                                 objects_to_skip=objects_to_skip)


def load_weights(model, filepath, skip_mismatch: bool = False, **kwargs) -> None:
    """Load weights into `model` from a `.weights.h5`, `.weights.json` (sharded), `.keras`
    or legacy `.h5` file, or a Keras model folder."""
    filepath = os.fspath(filepath)
    skip = kwargs.pop("objects_to_skip", None)
    if kwargs and not _is_legacy(filepath):
        raise ValueError(f"Invalid keyword arguments: {kwargs} (only legacy `.h5` files take "
                         "`by_name`).")
    if skip is not None and not filepath.endswith((".weights.h5", ".weights.json")):
        raise ValueError("`objects_to_skip` only supports loading '.weights.h5' files."
                         f"Received: {filepath}")
    if keras_dir.is_keras_dir(filepath):
        keras_dir.load_weights(model, filepath, skip_mismatch=skip_mismatch)
    elif filepath.endswith(".weights.h5"):
        h5_weights.load_weights(model, filepath, skip_mismatch=skip_mismatch,
                                objects_to_skip=skip)
    elif filepath.endswith(".weights.json"):
        sharded_weights.load_weights(model, filepath, skip_mismatch=skip_mismatch,
                                     objects_to_skip=skip)
    elif filepath.endswith(".keras"):
        keras_file.load_weights_from_archive(model, filepath, skip_mismatch=skip_mismatch)
    elif filepath.endswith(_LEGACY):
        from hocsau.saving import legacy_h5

        legacy_h5.load_weights(model, filepath, skip_mismatch=skip_mismatch, **kwargs)
    else:
        raise ValueError(f"File format not supported: filepath={filepath}. Weights can be "
                         "loaded from `.weights.h5`, `.weights.json`, `.keras` and legacy "
                         "`.h5` files and Keras model folders.")
