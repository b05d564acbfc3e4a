"""Shared builders of the reliability tests: small models and rewritten `.keras` archives."""

import json
import zipfile

import numpy as np
import torch

import hocsau
from hocsau import layers


def dense_model():
    model = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(2)])
    model.layers[0].kernel.data.copy_(torch.arange(6.0).reshape(3, 2))
    return model


def lookup_model(vocabulary=("a", "b", "c")):
    """A string model whose vocabulary is learned, so it travels as an asset file."""
    lookup = layers.StringLookup()
    lookup.adapt(np.array(list(vocabulary)))
    return hocsau.Sequential([hocsau.Input((1,), dtype="string"), lookup])


def entries(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(path, keep_checksums=False, **replaced):
    """Rewrite the archive at `path` with entries replaced (None removes one); the checksums
    hocsau records are dropped unless `keep_checksums` (as an attacker or Keras would write
    the file)."""
    contents = entries(path)
    if not keep_checksums:
        metadata = json.loads(contents["metadata.json"])
        metadata.pop("hocsau_sha256", None)
        contents["metadata.json"] = json.dumps(metadata).encode()
    contents.update(replaced)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            if data is not None:
                archive.writestr(name, data)


def config_of(path) -> dict:
    return json.loads(entries(path)["config.json"])


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth
