"""Sharded weights: Keras 3's `save_weights(..., max_shard_size=GB)` layout.

`name.weights.json` is the index and `name_00000.weights.h5`, `name_00001.weights.h5`, ...
beside it hold the variables, in `weights_store`'s layout, split between variables (one
layer's `vars` group may span shards). The index maps each `vars` group's HDF5 path to its
shard (or list of shards) and records the total size in bytes:

    {"metadata": {"total_size": 48.0},
     "weight_map": {"/layers/dense/vars": "name_00000.weights.h5", ...}}

A shard starts a new file once adding a value would pass `max_shard_size`; sizes count
elements times the dtype's bits / 8, as Keras does. Reading opens each shard through
`h5_weights.open_h5` (all HDF5 checks), and only shards named as plain file names in the
index's own folder.
"""

from __future__ import annotations

import json
import math
import os
import warnings

import h5py
import numpy as np

from hocsau.saving import bounded_json, h5_weights, weights_store
from hocsau.saving.atomic import scratch_folder

MAX_INDEX_BYTES = 256 * 2**20


def index_path(filepath: str) -> str:
    """The `.json` path Keras writes for `filepath` (warning when it had another suffix)."""
    root, suffix = os.path.splitext(filepath)
    if suffix == ".json":
        return filepath
    new_path = root + ".json"
    warnings.warn(f"Saving sharded weights requires `*.json` as the extension. The original "
                  f"path: {filepath} will be renamed to {new_path}.", stacklevel=2)
    return new_path


def save_weights(model, filepath: str, max_shard_size: float, objects_to_skip=None) -> None:
    """Write the shards and the index for `filepath` (a `.weights.json` path); every file
    is written in a scratch folder first, then moved into place, the index last."""
    folder, name = os.path.split(os.path.abspath(filepath))
    with scratch_folder(filepath) as scratch:
        writer = _ShardWriter(os.path.join(scratch, name), float(max_shard_size) * 1024**3)
        try:
            weights_store.save_state(model, writer, skip=objects_to_skip)
        finally:
            writer.close()
        for shard in writer.shard_names:
            os.replace(os.path.join(scratch, shard), os.path.join(folder, shard))
        os.replace(os.path.join(scratch, name), os.path.join(folder, name))


def load_weights(model, filepath: str, skip_mismatch: bool = False,
                 objects_to_skip=None) -> None:
    """Read sharded weights (hocsau's or Keras 3's) listed by the index `filepath`."""
    reader = _ShardReader(filepath)
    try:
        weights_store.load_state(model, reader, skip_mismatch=skip_mismatch,
                                 skip=objects_to_skip)
    finally:
        reader.close()


def _value_bytes(value: np.ndarray) -> float:
    bits = 1 if value.dtype == np.bool_ else value.dtype.itemsize * 8
    return math.prod(value.shape) * bits / 8


def _readable(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


class _ShardWriter:
    """Stands in for an `h5py.File` in `weights_store.save_state`, opening a new shard
    whenever the current one would grow past `max_bytes`."""

    def __init__(self, path: str, max_bytes: float):
        self.folder, name = os.path.split(path)
        self.base = os.path.splitext(name)[0].replace(".weights", "")
        self.path, self.max_bytes = path, max_bytes
        self.shard_names: list[str] = []
        self.weight_map: dict = {}
        self.total = self.current = 0.0
        self.h5file = self._new_shard()

    def _new_shard(self) -> h5py.File:
        name = f"{self.base}_{len(self.shard_names):05}.weights.h5"
        self.shard_names.append(name)
        self.current = 0.0
        return h5py.File(os.path.join(self.folder, name), "w")

    def create_group(self, path: str) -> _GroupWriter:
        return _GroupWriter(self, path, self.h5file.create_group(path))

    def put(self, group: _GroupWriter, key: str, value) -> None:
        value = np.asarray(value)
        size = _value_bytes(value)
        self.total += size
        if size > self.max_bytes:
            raise ValueError(f"The size of {key} is {_readable(size)} which exceeds the maximum "
                             f"shard size {_readable(self.max_bytes)}. You can increase the "
                             "`max_shard_size` parameter to accommodate the size.")
        if self.current + size > self.max_bytes:
            self.h5file.close()
            self.h5file = self._new_shard()
        self.current += size
        shard = self.shard_names[-1]
        if group.path not in self.h5file:
            self.h5file.create_group(group.path)
        self.h5file[group.path][key] = value
        # As Keras: a group's first value names its shard, later ones make that a list.
        entry = self.weight_map.get(f"/{group.path}")
        if entry is None:
            self.weight_map[f"/{group.path}"] = shard
            return
        entries = entry if isinstance(entry, list) else [entry]
        self.weight_map[f"/{group.path}"] = entries + [shard] * (shard not in entries)

    def close(self) -> None:
        self.h5file.close()
        index = {"metadata": {"total_size": self.total}, "weight_map": self.weight_map}
        with open(self.path, "w") as file:
            file.write(json.dumps(index, indent=4))


class _GroupWriter:
    """One object's `vars` group: its name attribute in the shard where it starts, its
    values wherever the writer puts them."""

    def __init__(self, writer: _ShardWriter, path: str, group: h5py.Group):
        self.writer, self.path, self.attrs = writer, path, group.attrs

    def __setitem__(self, key: str, value) -> None:
        self.writer.put(self, key, value)


class _ShardReader:
    """Stands in for an `h5py.File` in `weights_store.load_state`: `key in reader` and
    `reader[key]` (a dict of the group's values, gathered from its shards)."""

    def __init__(self, filepath: str):
        self.filepath = filepath
        self.folder = os.path.dirname(os.path.abspath(filepath))
        self.weight_map = _read_index(filepath)
        self.open: dict[str, h5py.File] = {}

    def __contains__(self, key: str) -> bool:
        return any(path == f"/{key}" or path.startswith(f"/{key}/") for path in self.weight_map)

    def __getitem__(self, key: str) -> dict:
        shards = self.weight_map.get(f"/{key}", [])
        values = {}
        for shard in shards if isinstance(shards, list) else [shards]:
            h5file = self._shard(shard)
            with h5_weights.errors_naming(h5file.filename):
                values.update({k: np.asarray(v) for k, v in h5file[key].items()})
        return values

    def _shard(self, name: str) -> h5py.File:
        if name not in self.open:
            self.open[name] = h5_weights.open_h5(os.path.join(self.folder, name))
        return self.open[name]

    def close(self) -> None:
        for h5file in self.open.values():
            h5file.close()


def _read_index(filepath: str) -> dict:
    """The index's weight map, checked: every shard a plain file name in its folder.

    Raises:
        ValueError: naming `filepath`, for an invalid or oversized index or a shard name
            that is a path.
    """
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: '{filepath}'.")
    if os.path.getsize(filepath) > MAX_INDEX_BYTES:
        raise ValueError(f"'{filepath}' is larger than {MAX_INDEX_BYTES} bytes: not a "
                         "sharded weights index.")
    with open(filepath, "rb") as file:
        index = bounded_json.loads(file.read(), filepath, "sharded weights index")
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict):
        raise ValueError(f"'{filepath}' is not a sharded weights index: it has no "
                         "`weight_map` dict.")
    for path, shards in weight_map.items():
        for shard in shards if isinstance(shards, list) else [shards]:
            _check_shard_name(filepath, path, shard)
    return weight_map


def _check_shard_name(filepath: str, path: str, shard) -> None:
    if not isinstance(shard, str) or not shard or shard in (".", "..") or "/" in shard \
            or "\\" in shard or os.path.isabs(shard) or os.path.basename(shard) != shard:
        raise ValueError(f"'{filepath}' names the shard {shard!r} for '{path}': shards must "
                         "be plain file names in the index's own folder.")
