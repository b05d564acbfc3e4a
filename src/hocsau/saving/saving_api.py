"""`save_model` / `load_model` / `load_weights`: one entry point per action, choosing the
format from the file name (`.keras`, `.weights.h5`, legacy `.h5` / `.hdf5`)."""

from __future__ import annotations

import os

from hocsau.saving import h5_weights, keras_file

_LEGACY = (".h5", ".hdf5")


def save_model(model, filepath, overwrite: bool = True, zipped: bool | None = None,
               **kwargs) -> None:
    """Save `model` as a `.keras` archive, or as a TF-Keras `.h5` file for those suffixes."""
    filepath = os.fspath(filepath)
    if zipped is False:
        raise ValueError("Only zipped `.keras` archives are written (`zipped=False` is not "
                         f"supported). Received: filepath={filepath}, zipped={zipped}")
    if filepath.endswith(_LEGACY) and not filepath.endswith(".weights.h5"):
        from hocsau.saving import legacy_h5

        legacy_h5.save_model(model, filepath, overwrite=overwrite, **kwargs)
        return
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    keras_file.save_model(model, filepath, overwrite=overwrite)


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Load a model saved by `model.save` here or in Keras (`.keras` or legacy `.h5`)."""
    filepath = os.fspath(filepath)
    if filepath.endswith(".weights.h5"):
        raise ValueError(f"'{filepath}' holds weights only: build the model and call "
                         "`model.load_weights(filepath)` instead.")
    if filepath.endswith(_LEGACY):
        from hocsau.saving import legacy_h5

        return legacy_h5.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                    safe_mode=safe_mode)
    if not filepath.endswith(".keras"):
        raise ValueError(f"File format not supported: filepath={filepath}. hocsau supports "
                         "`.keras` files and legacy `.h5` files.")
    return keras_file.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                 safe_mode=safe_mode)


def load_weights(model, filepath, skip_mismatch: bool = False, **kwargs) -> None:
    """Load weights into `model` from a `.weights.h5`, `.keras` or legacy `.h5` file."""
    filepath = os.fspath(filepath)
    if kwargs and not (filepath.endswith(_LEGACY) and not filepath.endswith(".weights.h5")):
        raise ValueError(f"Invalid keyword arguments: {kwargs} (only legacy `.h5` files take "
                         "`by_name`).")
    if filepath.endswith(".weights.h5"):
        h5_weights.load_weights(model, filepath, skip_mismatch=skip_mismatch)
    elif filepath.endswith(".keras"):
        keras_file.load_weights_from_archive(model, filepath, skip_mismatch=skip_mismatch)
    elif filepath.endswith(_LEGACY):
        from hocsau.saving import legacy_h5

        legacy_h5.load_weights(model, filepath, skip_mismatch=skip_mismatch, **kwargs)
    else:
        raise ValueError(f"File format not supported: filepath={filepath}. Weights can be "
                         "loaded from `.weights.h5`, `.keras` and legacy `.h5` files.")
