"""Datasets served from 127.0.0.1 through $HOCSAU_DATASETS_ORIGIN, cached in a temporary home."""

import hashlib
import os

import numpy as np
import pytest

from local_http import serve


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOCSAU_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def publish(home, monkeypatch):
    """`publish(module, name, data)` serves `data` as the dataset file `name`, and makes the
    module expect its sha256 instead of the real file's hash."""
    files = {}
    with serve(files) as server:
        monkeypatch.setenv("HOCSAU_DATASETS_ORIGIN", server.url)

        def put(module, name: str, data: bytes) -> None:
            files[name] = data
            if name in getattr(module, "_HASHES", {}):
                monkeypatch.setitem(module._HASHES, name, hashlib.sha256(data).hexdigest())

        put.server = server
        yield put


@pytest.fixture
def keras_load(home, monkeypatch):
    """`keras_load(name, **kwargs)`: Keras's `load_data` reading the files hocsau cached."""

    def fake_get_file(fname=None, origin=None, cache_subdir="datasets", **kwargs):
        return os.path.join(home, cache_subdir, fname or os.path.basename(origin))

    def load(name: str, **kwargs):
        import importlib

        module = importlib.import_module(f"keras.src.datasets.{name}")
        monkeypatch.setattr(module, "get_file", fake_get_file)
        return module.load_data(**kwargs)

    return load


def assert_same(ours, theirs):
    """Equal nested tuples of arrays: same types, dtypes, shapes and values."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert_same(a, b)
        return
    assert type(ours) is type(theirs) and ours.dtype == theirs.dtype
    assert ours.shape == theirs.shape
    if ours.dtype == object:
        assert [list(x) for x in ours] == [list(x) for x in theirs]
        assert {type(w) for x in ours for w in x} == {type(w) for x in theirs for w in x}
    else:
        np.testing.assert_array_equal(ours, theirs)


@pytest.fixture
def same():
    return assert_same
