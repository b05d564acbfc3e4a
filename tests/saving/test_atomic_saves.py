"""atomic_write: the finished file has the permissions a plain write would give."""

import os

import numpy as np

import hocsau as keras
from hocsau.saving.atomic import atomic_write


def _write(path, data=b"x"):
    with atomic_write(path) as tmp, open(tmp, "wb") as f:
        f.write(data)


def test_new_file_gets_umask_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        _write(tmp_path / "a.bin")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "a.bin").st_mode & 0o777 == 0o640


def test_replaced_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "b.bin"
    path.write_bytes(b"old")
    os.chmod(path, 0o604)
    _write(path, b"new")
    assert path.read_bytes() == b"new"
    assert os.stat(path).st_mode & 0o777 == 0o604


def test_saved_model_is_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        model.save(tmp_path / "m.keras")
        model.save_weights(tmp_path / "m.weights.h5")
    finally:
        os.umask(old)
    for name in ("m.keras", "m.weights.h5"):
        assert os.stat(tmp_path / name).st_mode & 0o777 == 0o644
    restored = keras.saving.load_model(tmp_path / "m.keras")
    x = np.ones((1, 3), "float32")
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))
