"""Finding 9: `.keras` files written by hocsau record a SHA-256 of every entry in
metadata.json; a changed byte in an entry read is caught, naming the file and the entry.
Keras loads such files, and hocsau loads Keras's files (which have no record) unchecked."""

import hashlib
import json

import numpy as np
import pytest
from hostile_files import dense_model, entries, lookup_model, rezip

from hocsau import saving


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "m.keras"
    dense_model().save(path)
    return path


def _flip_kernel_byte(weights: bytes) -> bytes:
    """Change one byte of the Dense kernel's data (np.arange(6) as float32)."""
    start = weights.find(np.arange(6, dtype="float32").tobytes())
    assert start > 0
    data = bytearray(weights)
    data[start + 5] ^= 0x01
    return bytes(data)


def test_every_entry_is_recorded(tmp_path):
    path = tmp_path / "lookup.keras"
    lookup_model().save(path)
    contents = entries(path)
    recorded = json.loads(contents.pop("metadata.json"))["hocsau_sha256"]
    assert any(name.startswith("assets/") for name in recorded)
    assert recorded == {name: hashlib.sha256(data).hexdigest()
                        for name, data in contents.items()}


def test_flipped_weight_byte_is_caught(saved):
    rezip(saved, keep_checksums=True,
          **{"model.weights.h5": _flip_kernel_byte(entries(saved)["model.weights.h5"])})
    message = r"m.keras' is damaged: the SHA-256 of its entry model.weights.h5 is [0-9a-f]{64}"
    with pytest.raises(ValueError, match=message):
        saving.load_model(saved)
    with pytest.raises(ValueError, match=message):
        dense_model().load_weights(saved)


def test_without_the_record_the_same_flip_loads(saved):
    """What the record protects against: the changed weights load silently without it."""
    rezip(saved, **{"model.weights.h5": _flip_kernel_byte(entries(saved)["model.weights.h5"])})
    kernel = saving.load_model(saved).layers[0].kernel.detach().numpy()
    assert kernel.reshape(-1)[1] != 1.0


def test_changed_config_and_assets_are_caught(tmp_path):
    path = tmp_path / "lookup.keras"
    lookup_model().save(path)
    asset = next(name for name in entries(path) if name.startswith("assets/"))
    rezip(path, keep_checksums=True, **{asset: b"[UNK]\nevil"})
    with pytest.raises(ValueError, match=f"SHA-256 of its entry {asset} is"):
        saving.load_model(path)
    lookup_model().save(path)
    config = entries(path)["config.json"].replace(b'"trainable": true', b'"trainable": false')
    rezip(path, keep_checksums=True, **{"config.json": config})
    with pytest.raises(ValueError, match="SHA-256 of its entry config.json is"):
        saving.load_model(path)


def test_unrecorded_asset_is_refused_when_read(tmp_path):
    path = tmp_path / "lookup.keras"
    lookup_model().save(path)
    folder = next(n for n in entries(path) if n.startswith("assets/")).rsplit("/", 1)[0]
    rezip(path, keep_checksums=True, **{f"{folder}/extra.txt": b"added later"})
    with pytest.raises(ValueError, match=f"entry {folder}/extra.txt is not among the checksums"):
        saving.load_model(path)


def test_invalid_record_is_refused(saved):
    metadata = json.loads(entries(saved)["metadata.json"])
    metadata["hocsau_sha256"]["config.json"] = "not a digest"
    rezip(saved, keep_checksums=True, **{"metadata.json": json.dumps(metadata)})
    with pytest.raises(ValueError, match="metadata.json has an invalid 'hocsau_sha256'"):
        saving.load_model(saved)


def test_keras_loads_files_with_the_record(tmp_path):
    keras = pytest.importorskip("keras")
    path = tmp_path / "m.keras"
    model = dense_model()
    model.save(path)
    theirs = keras.saving.load_model(path)
    x = np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)),
                               model.predict(x, verbose=0), rtol=1e-6)


def test_keras_files_load_without_the_record(tmp_path):
    keras = pytest.importorskip("keras")
    path = tmp_path / "k.keras"
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    theirs.save(path)
    assert "hocsau_sha256" not in json.loads(entries(path)["metadata.json"])
    ours = saving.load_model(path)
    x = np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(ours.predict(x, verbose=0),
                               np.asarray(theirs.predict(x, verbose=0)), rtol=1e-6)
