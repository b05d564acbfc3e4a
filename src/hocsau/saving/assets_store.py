"""Asset files of a `.keras` archive, in Keras 3's layout.

Some state is kept in files rather than arrays (TextVectorization's vocabulary). Keras gives
every saved object that has a `save_assets(dir_path)` hook a folder named by its path in the
model (the same path as its variables group, see `weights_store`), and stores that folder tree
under `assets/` in the zip:

    assets/layers/text_vectorization/vocabulary.txt
    assets/layers/text_vectorization/_lookup_layer/vocabulary.txt

On loading, each object's `load_assets` hook gets its folder back, extracted from the archive
when the object claims it (`keras_archive.KerasArchive.assets_folder`); objects without one in
the file are left as they are.
"""

from __future__ import annotations

import os
import posixpath

ASSETS_DIRNAME = "assets"


def folder_entries(folder: str) -> dict[str, bytes]:
    """Every file under `folder` as `{"assets/<relative path>": contents}`, in sorted order
    (Keras writes files only, never folder entries)."""
    entries = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            relative = os.path.relpath(path, folder).replace(os.sep, "/")
            with open(path, "rb") as f:
                entries[f"{ASSETS_DIRNAME}/{relative}"] = f.read()
    return entries


def entry_parts(name: str, filepath: str) -> list[str]:
    """The path parts, under the assets folder, of the archive entry `assets/<...>`.

    Raises:
        ValueError: naming the file, for an entry whose path would leave the folder.
    """
    relative = name[len(ASSETS_DIRNAME) + 1:]
    parts = relative.split("/")
    if (not relative or posixpath.isabs(relative) or "\\" in relative or "\0" in relative
            or any(part in ("", ".", "..") for part in parts)):
        raise ValueError(f"'{filepath}' is not a valid `.keras` file: the asset entry escapes "
                         f"the assets folder. Received: {name!r}")
    return parts


def object_folder(root: str, path: str) -> str:
    """The asset folder of the object at `path` in the model (the root for the model)."""
    return os.path.join(root, *path.split("/")) if path else root
