"""`KerasFileEditor`: inspect and edit the weights of `.keras` and `.weights.h5` files.

The weights are read into nested dicts following the file's groups (`layers/dense` ->
`{"0": kernel, "1": bias}`); objects and weights can be renamed, deleted and added, then the
result is written as a `.weights.h5` file, as in Keras, or (a hocsau extension) as a new
`.keras` file keeping the source archive's config, metadata and assets.
"""

from __future__ import annotations

import collections
import io
import json
import math
import os
import zipfile

import h5py
import numpy as np

from hocsau.saving import keras_file, weights_store
from hocsau.saving.atomic import atomic_write
from hocsau.saving.h5_weights import open_h5
from hocsau.saving.keras_archive import CHECKSUMS_KEY, KerasArchive, sha256
from hocsau.utils.io_utils import print_msg

_MAX_DATASET_BYTES = 1 << 32


class KerasFileEditor:
    """Open `filepath` (a `.keras` or `.weights.h5` file) for inspection and editing.

    Attributes:
        weights_dict: nested dicts of the file's weights (NumPy arrays).
        config / metadata: the archive's config.json and metadata.json (`.keras` only).
    """

    def __init__(self, filepath):
        self.filepath = os.fspath(filepath)
        self.metadata = None
        self.config = None
        self.model = None
        self._assets: dict[str, bytes] = {}
        if self.filepath.endswith(".keras"):
            with KerasArchive(self.filepath) as archive:
                self.config = json.loads(archive.config_text())
                weights = archive.read(keras_file.WEIGHTS_FILENAME)
                self._assets = {name: archive.read(name) for name in archive.names()
                                if name.startswith("assets/") and not name.endswith("/")}
                self.metadata = archive.metadata()
            source = open_h5(weights, f"{self.filepath}/{keras_file.WEIGHTS_FILENAME}")
        elif self.filepath.endswith(".weights.h5"):
            source = open_h5(self.filepath)
        else:
            raise ValueError("Invalid filename: expected a `.keras` `.weights.h5` extension. "
                             f"Received: filepath={self.filepath}")
        with source:
            self.object_metadata: dict[str, dict] = {}
            self.weights_dict = _extract(source, "", self.object_metadata)
        print_msg(f"Keras model file '{self.filepath}'")
        if self.metadata is not None:
            print_msg(f"Saved with {_saved_with(self.metadata)} - date: "
                      f"{self.metadata.get('date_saved')}")

    # --- inspection ---------------------------------------------------------------------------
    def summary(self) -> None:
        """Print the tree of objects and weights (shapes and dtypes)."""
        print_msg("Weights structure")
        for line in _tree_lines(self.weights_dict, "  ", "", self.object_metadata):
            print_msg(line)

    def compare(self, reference_model) -> dict:
        """List the differences between the file and `reference_model`'s weights.

        Returns:
            `{"status": "success" | "error", "error_count": n, "match_count": m}`.
        """
        print_msg("Running comparison")
        reference = _model_weights(reference_model)
        errors, matches = _compare(self.weights_dict, reference, "", "saved file",
                                   "reference model")
        extra, _ = _compare(reference, self.weights_dict, "", "reference model", "saved file",
                            matched_only=True)
        errors += extra
        print_msg("─────────────────────")
        if errors == 0:
            print_msg("Comparison successful: saved file is compatible with the reference "
                      "model")
            print_msg(f"    Found {matches} matching weight{'' if matches == 1 else 's'}")
        else:
            print_msg(f"Found {errors} error{'' if errors == 1 else 's'}: saved file is not "
                      "compatible with the reference model")
        return {"status": "success" if errors == 0 else "error", "error_count": errors,
                "match_count": matches}

    # --- edits ----------------------------------------------------------------------------------
    def rename_object(self, object_name: str, new_name: str) -> None:
        """Rename an object (`"dense_2"` or a path such as `"layers/dense_2"`)."""

        def rename(parent, key):
            parent[new_name] = parent.pop(key)

        self._edit(rename, object_name, new_name)

    def delete_object(self, object_name: str) -> None:
        """Remove an object (name or path) and everything under it."""
        self._edit(lambda parent, key: parent.pop(key), object_name)

    def add_object(self, object_path: str, weights: dict) -> None:
        """Add an object at `object_path` with `weights` (`{"0": array, ...}`)."""
        _check_weights(weights)
        *parents, leaf = object_path.split("/")
        self._container(parents, "/".join(parents))[leaf] = weights

    def delete_weight(self, object_name: str, weight_name: str) -> None:
        """Remove one weight (e.g. `"0"`) from an object."""

        def delete(parent, key):
            if weight_name not in parent[key]:
                raise ValueError(f"Weight {weight_name} not found in object {object_name}. "
                                 f"Weights found: {list(parent[key].keys())}")
            parent[key].pop(weight_name)

        self._edit(delete, object_name)

    def add_weights(self, object_name: str, weights: dict) -> None:
        """Add weights (`{"2": array}`) to an existing object."""
        _check_weights(weights)
        self._edit(lambda parent, key: parent[key].update(weights), object_name)

    # --- writing --------------------------------------------------------------------------------
    def save(self, filepath) -> None:
        """Write the edited weights to a `.weights.h5` file, or (hocsau extension, for an
        opened `.keras` file) to a `.keras` file with the source's config and assets."""
        filepath = os.fspath(filepath)
        if filepath.endswith(".keras") and self.config is not None:
            self._save_archive(filepath)
            return
        if not filepath.endswith(".weights.h5"):
            raise ValueError("Invalid `filepath` argument: expected a `.weights.h5` extension. "
                             f"Received: filepath={filepath}")
        with atomic_write(filepath) as tmp:
            with h5py.File(tmp, "w") as h5file:
                _write(self.weights_dict, h5file, "")

    def resave_weights(self, filepath) -> None:
        self.save(filepath)

    def _save_archive(self, filepath: str) -> None:
        weights = io.BytesIO()
        with h5py.File(weights, "w") as h5file:
            _write(self.weights_dict, h5file, "")
        entries = {keras_file.CONFIG_FILENAME: json.dumps(self.config).encode("utf-8"),
                   keras_file.WEIGHTS_FILENAME: weights.getvalue(), **self._assets}
        # The edited entries get fresh checksums, as every file hocsau writes.
        metadata = {**(self.metadata or {}),
                    CHECKSUMS_KEY: {name: sha256(data) for name, data in entries.items()}}
        with atomic_write(filepath) as tmp:
            with zipfile.ZipFile(tmp, "w") as archive:
                archive.writestr(keras_file.METADATA_FILENAME, json.dumps(metadata))
                for name, contents in entries.items():
                    archive.writestr(name, contents)

    # --- helpers --------------------------------------------------------------------------------
    def _container(self, parts: list[str], label: str) -> dict:
        current = self.weights_dict
        for part in parts:
            if part not in current:
                raise ValueError(f"Path '{label}' not found in model.")
            current = current[part]
        return current

    def _edit(self, edit, source_name: str, target_name: str | None = None) -> None:
        if target_name is not None and "/" in target_name:
            raise ValueError("Argument `target_name` should be a leaf name, not a full path "
                             f"name. Received: target_name='{target_name}'")
        if "/" in source_name:
            *parents, leaf = source_name.split("/")
            parent = self._container(parents, source_name)
            if leaf not in parent:
                raise ValueError(f"Path '{source_name}' not found in model.")
            edit(parent, leaf)
            return
        holders = list(_holders(self.weights_dict, source_name))
        if len(holders) > 1:
            raise ValueError(f"Name '{source_name}' occurs more than once in the model; try "
                             "passing a complete path")
        if not holders:
            raise ValueError(f"Source name '{source_name}' does not appear in the model. Use "
                             "`editor.summary()` to list all objects.")
        edit(holders[0], source_name)


def _check_weights(weights) -> None:
    if not isinstance(weights, dict):
        raise ValueError("Argument `weights` should be a dict where keys are weight names "
                         "(usually '0', '1', etc.) and values are NumPy arrays. Received: "
                         f"type(weights)={type(weights)}")


def _holders(tree: dict, name: str):
    """The dicts (at any depth) that have `name` as a key."""
    for value in tree.values():
        if isinstance(value, dict):
            yield from _holders(value, name)
    if name in tree:
        yield tree


def _extract(group, path: str, metadata: dict) -> dict:
    """A group's weights as nested dicts: the datasets of its `vars` group become its own
    entries, other groups nest; empty groups are left out. Links, external or virtual
    datasets and oversized shapes are refused."""
    if group.attrs:
        metadata[path] = dict(group.attrs.items())
    result = collections.OrderedDict()
    for key in group.keys():
        kind = group.get(key, getclass=True, getlink=True)
        if kind in (h5py.ExternalLink, h5py.SoftLink):
            raise ValueError(f"Not allowed: H5 file with {kind.__name__}")
        value = group[key]
        child = f"{path}/{key}"
        if isinstance(value, h5py.Group):
            inner = _extract(value, path if key == "vars" else child, metadata)
            if key == "vars":
                result.update(inner)
            elif inner:
                result[key] = inner
        elif isinstance(value, h5py.Dataset):
            result[key] = _read_dataset(value, child)
    return result


def _read_dataset(dataset, path: str) -> np.ndarray:
    if dataset.external:
        raise ValueError(f"Not allowed: H5 file Dataset with external links: {dataset.external}")
    if dataset.is_virtual:
        raise ValueError(f"Not allowed: H5 file with virtual Dataset at {path}")
    shape = dataset.shape
    if any(d < 0 for d in shape) or len(shape) > 64:
        raise ValueError(f"Malformed HDF5 dataset shape at {path}: {shape}")
    if math.prod(shape) * dataset.dtype.itemsize > _MAX_DATASET_BYTES:
        raise ValueError(f"HDF5 dataset too large to load safely at {path}.")
    return dataset[()]


def _write(tree: dict, h5file, path: str) -> None:
    """Nested dicts back into groups: each object's arrays go to `<path>/vars`."""
    arrays = {k: v for k, v in tree.items() if not isinstance(v, dict)}
    if arrays:
        group = h5file.require_group(f"{path}/vars" if path else "vars")
        for name, value in arrays.items():
            group[name] = np.asarray(value)
    for name, value in tree.items():
        if isinstance(value, dict) and value:
            _write(value, h5file, f"{path}/{name}" if path else name)


def _model_weights(model) -> dict:
    """The weights `model` would write, read back as the editor reads a file."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5file:
        weights_store.save_state(model, h5file)
    with h5py.File(buffer, "r") as h5file:
        return _extract(h5file, "", {})


def _compare(target: dict, reference: dict, path: str, target_name: str, ref_name: str,
             matched_only: bool = False) -> tuple[int, int]:
    """(errors, matches) of `reference`'s entries checked against `target`."""
    errors = matches = 0
    for key, expected in reference.items():
        where = f"{path}/{key}"
        if key not in target:
            errors += 1
            kind = "Object" if isinstance(expected, dict) else "Weight"
            print_msg(f"...{kind} {where} present in {ref_name}, missing from {target_name}")
        elif isinstance(expected, dict):
            sub_errors, sub_matches = _compare(target[key], expected, where, target_name,
                                               ref_name, matched_only)
            errors, matches = errors + sub_errors, matches + sub_matches
        elif matched_only:
            continue
        elif target[key].shape != expected.shape:
            errors += 1
            print_msg(f"...Weight shape mismatch for {where}\n    In {ref_name}: "
                      f"shape={expected.shape}\n    In {target_name}: "
                      f"shape={target[key].shape}")
        else:
            matches += 1
    return errors, matches


def _tree_lines(tree: dict, prefix: str, path: str, metadata: dict) -> list[str]:
    lines = []
    items = list(tree.items())
    for index, (key, value) in enumerate(items):
        last = index == len(items) - 1
        connector = "> " if (index == 0 and not path) else ("└─ " if last else "├─ ")
        where = f"{path}/{key}"
        if isinstance(value, dict):
            name = metadata.get(where, {}).get("name")
            lines.append(f"{prefix}{connector}{key}" + (f" ('{name}')" if name else ""))
            lines += _tree_lines(value, prefix + ("    " if last else "│   "), where, metadata)
        else:
            lines.append(f"{prefix}{connector}{key}: shape={value.shape}, dtype={value.dtype}")
    return lines


def _saved_with(metadata: dict) -> str:
    """"Keras 3.x" for Keras's files; hocsau's files name hocsau and the format they follow."""
    keras = f"Keras {metadata.get('keras_version')}"
    hocsau = metadata.get("hocsau_version")
    return f"hocsau {hocsau} ({keras} format)" if hocsau else keras
