"""`.weights.h5` files: a model's variables alone, in Keras 3's layout (see `weights_store`)."""

from __future__ import annotations

import contextlib
import io
import os

import h5py

from hocsau.saving import h5_checks, weights_store
from hocsau.saving.atomic import atomic_write


def save_weights(model, filepath, overwrite: bool = True, objects_to_skip=None) -> None:
    """Write the model's weights (and optimizer variables) to `filepath` atomically."""
    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError("The filename must end in `.weights.h5`. "
                         f"Received: filepath={filepath}")
    check_overwrite(filepath, overwrite)
    with atomic_write(filepath) as tmp:
        with h5py.File(tmp, "w") as h5file:
            weights_store.save_state(model, h5file, skip=objects_to_skip)


def check_overwrite(filepath: str, overwrite: bool) -> None:
    """Refuse to replace an existing `filepath` when `overwrite=False`."""
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"File {filepath} already exists and overwrite=False.")


def load_weights(model, filepath, skip_mismatch: bool = False, objects_to_skip=None) -> None:
    """Read weights written by `save_weights` (hocsau or Keras 3) into `model`."""
    filepath = os.fspath(filepath)
    with open_h5(filepath) as h5file:
        with errors_naming(filepath):
            weights_store.load_state(model, h5file, skip_mismatch=skip_mismatch,
                                     skip=objects_to_skip)


def open_h5(source, name: str | None = None) -> h5py.File:
    """Open an HDF5 file (a path, or its bytes) for reading after the checks of `h5_checks`;
    a missing, truncated or non-HDF5 file, or one that would read data from elsewhere, raises
    a ValueError naming it."""
    name = name or os.fspath(source)
    if isinstance(source, (str, os.PathLike)) and not os.path.exists(source):
        raise FileNotFoundError(f"No such file: '{name}'.")
    with errors_naming(name):
        h5_checks.check_global_heaps(source)
    try:
        h5file = h5py.File(io.BytesIO(source) if isinstance(source, bytes) else source, "r")
    except (OSError, ValueError) as error:
        raise ValueError(f"Could not read weights from '{name}': not a valid HDF5 file "
                         f"(truncated or corrupt?). Received error: {error}") from None
    try:
        with errors_naming(name):
            h5_checks.check_file(h5file)
    except BaseException:
        h5file.close()
        raise
    return h5file


@contextlib.contextmanager
def errors_naming(name: str):
    """Re-raise errors met while reading `name` as ValueErrors that name the file."""
    try:
        yield
    except ValueError as error:
        raise ValueError(f"Error loading weights from '{name}': {error}") from error
    except (OSError, KeyError, RuntimeError, TypeError) as error:
        raise ValueError(f"Error loading weights from '{name}': the file is corrupt "
                         f"({type(error).__name__}: {error})") from error
