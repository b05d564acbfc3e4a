"""Unzipped Keras models: a folder holding what a `.keras` archive holds (config.json,
metadata.json, model.weights.h5, assets/), as Keras 3 writes with `zipped=False`.

Both directions go through the `.keras` code (`keras_file`): a save writes an archive and
unpacks it into a fresh folder that then replaces the old one; a load packs the folder's
regular files (never following links) into an archive and reads that.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile

from hocsau.saving import keras_file

_ARCHIVE_NAME = "model.keras"


def is_keras_dir(path: str) -> bool:
    """Whether `path` is a folder holding a Keras model (a config.json)."""
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, keras_file.CONFIG_FILENAME))


def save_model(model, dirpath: str, overwrite: bool = True) -> None:
    """Write `model` as a Keras model folder at `dirpath` (replacing one already there)."""
    dirpath = os.path.abspath(dirpath)
    if os.path.exists(dirpath) and not overwrite:
        raise FileExistsError(f"{dirpath} already exists and overwrite=False.")
    if os.path.isfile(dirpath):
        raise ValueError(f"Cannot save an unzipped Keras model to '{dirpath}': it is an "
                         "existing file, not a folder.")
    parent = os.path.dirname(dirpath)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(dirpath)}.")
    try:
        archive = os.path.join(staging, _ARCHIVE_NAME)
        keras_file.save_model(model, archive, overwrite=True)
        with zipfile.ZipFile(archive) as source:
            source.extractall(os.path.join(staging, "model"))
        os.remove(archive)
        if os.path.exists(dirpath):  # the old folder leaves with the staging folder
            os.replace(dirpath, os.path.join(staging, "previous"))
        os.replace(os.path.join(staging, "model"), dirpath)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def as_archive(dirpath: str):
    """A temporary `.keras` file packing the folder's regular files (links are skipped)."""
    with tempfile.TemporaryDirectory() as scratch:
        archive = os.path.join(scratch, _ARCHIVE_NAME)
        with zipfile.ZipFile(archive, "w") as target:
            for name, full in _regular_files(dirpath):
                target.write(full, name)
        yield archive


def _regular_files(root: str):
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if not os.path.islink(os.path.join(folder, d))]
        for file_name in sorted(files):
            full = os.path.join(folder, file_name)
            if os.path.isfile(full) and not os.path.islink(full):
                yield os.path.relpath(full, root).replace(os.sep, "/"), full


def load_model(dirpath: str, custom_objects=None, compile: bool = True,
               safe_mode: bool = True):
    """Rebuild the model saved in a Keras model folder."""
    with as_archive(dirpath) as archive:
        try:
            return keras_file.load_model(archive, custom_objects=custom_objects,
                                         compile=compile, safe_mode=safe_mode)
        except ValueError as error:
            raise ValueError(str(error).replace(archive, dirpath)) from error


def load_weights(model, dirpath: str, skip_mismatch: bool = False) -> None:
    """Load the weights of a Keras model folder into `model`."""
    with as_archive(dirpath) as archive:
        try:
            keras_file.load_weights_from_archive(model, archive, skip_mismatch=skip_mismatch)
        except ValueError as error:
            raise ValueError(str(error).replace(archive, dirpath)) from error
