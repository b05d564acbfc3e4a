"""Damaged, foreign and hostile files: clear ValueErrors naming the file; atomic saves."""

import json
import math
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import hocsau
from hocsau import layers, saving


def _model():
    return hocsau.Sequential([hocsau.Input((3,)), layers.Dense(2)])


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "m.keras"
    _model().save(path)
    return path


def _rewrite(path, **entries):
    """Copy the archive at `path` with entries replaced (None removes one), without hocsau's
    checksums (as Keras writes it), so that the damage reaches the readers behind them."""
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    metadata = json.loads(contents["metadata.json"])
    del metadata["hocsau_sha256"]
    contents.update({"metadata.json": json.dumps(metadata)}, **entries)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            if data is not None:
                archive.writestr(name, data)


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="File not found: filepath=.*nope.keras"):
        saving.load_model(tmp_path / "nope.keras")


def test_not_a_zip(tmp_path):
    path = tmp_path / "text.keras"
    path.write_text("hello")
    with pytest.raises(ValueError, match="text.keras' is not a `.keras` file: it is not a zip"):
        saving.load_model(path)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_truncated_archive(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match="m.keras"):
        saving.load_model(saved)


def test_bit_flips_never_crash(saved):
    data = bytearray(saved.read_bytes())
    rng = np.random.default_rng(0)
    for position in rng.choice(len(data), size=25, replace=False):
        flipped = bytearray(data)
        flipped[position] ^= 0xFF
        saved.write_bytes(bytes(flipped))
        try:
            model = saving.load_model(saved)
        except ValueError as error:
            assert "m.keras" in str(error)
        else:  # a flip in zip padding or metadata can be harmless
            assert model.layers[0].kernel.shape == (3, 2)


def test_zip_without_config(saved):
    _rewrite(saved, **{"config.json": None})
    with pytest.raises(ValueError, match="has no config.json"):
        saving.load_model(saved)


def test_missing_weights(saved):
    _rewrite(saved, **{"model.weights.h5": None})
    with pytest.raises(ValueError, match="has no model.weights.h5"):
        saving.load_model(saved)


def test_weights_not_hdf5(saved):
    _rewrite(saved, **{"model.weights.h5": b"garbage"})
    with pytest.raises(ValueError, match="m.keras/model.weights.h5.*not a valid HDF5"):
        saving.load_model(saved)


@pytest.mark.parametrize("text, message", [
    ("{not json", "invalid config.json: Expecting property name"),
    ("[1, 2]", "expected a model config with 'class_name'"),
    ('{"class_name": "NoSuchModel", "config": {}}', "Could not locate class 'NoSuchModel'"),
])
def test_wrong_json(saved, text, message):
    _rewrite(saved, **{"config.json": text})
    with pytest.raises(ValueError, match=message):
        saving.load_model(saved)


def test_wrong_shapes(saved, tmp_path):
    other = tmp_path / "wide.keras"
    hocsau.Sequential([hocsau.Input((3,)), layers.Dense(5)]).save(other)
    with zipfile.ZipFile(other) as archive:
        weights = archive.read("model.weights.h5")
    _rewrite(saved, **{"model.weights.h5": weights})
    with pytest.raises(ValueError, match=r"Layer 'dense.*' weight 'kernel' has shape \(3, 2\), "
                                         r"but the saved value .* has shape \(3, 5\)"):
        saving.load_model(saved)


def test_safe_mode_refuses_lambda_bytecode(tmp_path):
    model = hocsau.Sequential([hocsau.Input((3,)), layers.Lambda(lambda t: t * 2)])
    path = tmp_path / "lam.keras"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        saving.load_model(path)
    loaded = saving.load_model(path, safe_mode=False)
    np.testing.assert_array_equal(np.asarray(loaded(np.ones((1, 3), "float32"))), [[2, 2, 2]])


def test_loading_never_unpickles(saved):
    config = json.loads(zipfile.ZipFile(saved).read("config.json"))
    config["config"]["layers"][1]["config"]["kernel_initializer"] = {
        "module": "os", "class_name": "function", "config": "system", "registered_name": None}
    _rewrite(saved, **{"config.json": json.dumps(config)})
    with pytest.raises(ValueError, match="Could not locate function 'system'"):
        saving.load_model(saved)


def test_unsafe_mode_finds_functions_of_loaded_modules(saved):
    config = json.loads(zipfile.ZipFile(saved).read("config.json"))
    config["config"]["layers"][1]["config"]["activation"] = {
        "module": "math", "class_name": "function", "config": "fsum", "registered_name": None}
    _rewrite(saved, **{"config.json": json.dumps(config)})
    with pytest.raises(ValueError, match="Could not locate function 'fsum'"):
        saving.load_model(saved)
    assert saving.load_model(saved, safe_mode=False).layers[0].activation is math.fsum


_KILLED_SAVE = textwrap.dedent("""
    import os, signal, sys, zipfile
    import hocsau
    from hocsau import layers
    model = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(7)])
    original = zipfile.ZipFile.writestr
    def writestr(self, name, data, *args, **kwargs):
        if name == "model.weights.h5":  # killed with half the archive on disk
            self.fp.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return original(self, name, data, *args, **kwargs)
    zipfile.ZipFile.writestr = writestr
    model.save(sys.argv[1])
""")


def test_killed_save_keeps_previous_file(saved, tmp_path):
    before = saved.read_bytes()
    result = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(saved)], timeout=120,
                            env={**os.environ, "KERAS_BACKEND": "torch"})
    assert result.returncode == -9
    partial = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(partial) == 1 and partial[0].stat().st_size > 0  # the save was under way
    assert saved.read_bytes() == before
    assert saving.load_model(saved).layers[0].kernel.shape == (3, 2)


def test_failed_save_leaves_no_temporary_file(saved, tmp_path, monkeypatch):
    from hocsau.saving import keras_file

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(keras_file.zipfile.ZipFile, "writestr", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _model().save(saved)
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]
    monkeypatch.undo()
    assert saving.load_model(saved).layers[0].kernel.shape == (3, 2)


def test_zip_bomb_is_refused(saved, monkeypatch):
    from hocsau.saving import keras_archive

    monkeypatch.setattr(keras_archive, "MAX_CONFIG_BYTES", 2**16)  # keeps the test small
    with zipfile.ZipFile(saved) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(saved, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", b" " * 2**17)
        archive.writestr("model.weights.h5", contents["model.weights.h5"])
    with pytest.raises(ValueError, match="config.json would expand to 131072 bytes"):
        saving.load_model(saved)


class Doubler(layers.Layer):
    """Not registered: found only through `custom_objects`."""

    def call(self, x):
        return x * 2


def test_custom_objects(tmp_path):
    path = tmp_path / "custom.keras"
    hocsau.Sequential([hocsau.Input((3,)), Doubler()]).save(path)
    with pytest.raises(ValueError, match="Could not locate class 'Doubler'"):
        saving.load_model(path)
    loaded = saving.load_model(path, custom_objects={"Doubler": Doubler})
    np.testing.assert_array_equal(np.asarray(loaded(np.ones((1, 3), "float32"))), [[2, 2, 2]])


def test_assets_folder_of_a_killed_load_is_removed_by_the_next(tmp_path, monkeypatch):
    import socket
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    os.makedirs(tmp_path / "tmp")
    host = "".join(c if c.isalnum() or c == "-" else "-" for c in socket.gethostname())[:32]
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / "tmp" / f".hocsau_assets.{host}.{dead}.abc12345.assets"
    (stale / "string_lookup").mkdir(parents=True)
    lookup = layers.StringLookup()
    lookup.adapt(np.array([["a"], ["b"], ["c"], ["a"]]))
    model = hocsau.Sequential([hocsau.Input((1,), dtype="string"), lookup])
    model.save(tmp_path / "m.keras")
    loaded = saving.load_model(tmp_path / "m.keras")
    assert loaded.layers[0].get_vocabulary() == lookup.get_vocabulary()
    assert os.listdir(tmp_path / "tmp") == []
