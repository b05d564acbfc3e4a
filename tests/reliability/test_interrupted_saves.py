"""Finding 6: a save killed (SIGKILL) at any point of a multi-file write leaves the previous
file intact, and the next save to the same place removes the killed save's temporary files,
never those of a writer that is still running."""

import os
import signal
import time
import zipfile

import numpy as np
import pytest
from hostile_files import dense_model, lookup_model

from hocsau import saving
from hocsau.saving import assets_store, atomic, legacy_h5, weights_store

# Python 3.12+ warns about fork() in a process with threads; these children only save a file.
pytestmark = pytest.mark.filterwarnings(r"ignore:.*use of fork\(\) may lead to deadlocks")


def _die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def _in_child(work):
    """Run `work()` in a forked child; returns its wait status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns to pytest
        try:
            work()
        finally:
            os._exit(3)  # reached only when no hook killed the child
    return os.waitpid(pid, 0)[1]


def _kill_at_zip_entry(name):
    def install():
        original = zipfile.ZipFile.writestr

        def writestr(self, entry, data, *args, **kwargs):
            if entry == name:
                self.fp.flush()  # half the archive is on disk
                _die()
            return original(self, entry, data, *args, **kwargs)
        zipfile.ZipFile.writestr = writestr
    return install


def _kill_at_second_group():
    def install():
        original = weights_store._save_variables
        calls = []

        def save_variables(*args):
            calls.append(1)
            if len(calls) == 2:
                _die()
            return original(*args)
        weights_store._save_variables = save_variables
    return install


def _patch(module, name):
    return lambda: setattr(module, name, _die)


POINTS = {
    "keras: assets staged": (".keras", lambda: setattr(assets_store, "folder_entries", _die)),
    "keras: weights half written": (".keras", _kill_at_second_group()),
    "keras: zip half written": (".keras", _kill_at_zip_entry("model.weights.h5")),
    "keras: before rename": (".keras", _patch(os, "replace")),
    "weights.h5: half written": (".weights.h5", _kill_at_second_group()),
    "weights.h5: before rename": (".weights.h5", _patch(os, "replace")),
    "h5: config written": (".h5", _patch(legacy_h5, "save_weights_to_group")),
    "h5: before rename": (".h5", _patch(os, "replace")),
}


def _models(suffix):
    """An old and a new model: .keras ones carry an asset (a learned vocabulary)."""
    if suffix == ".keras":
        return lookup_model(("old", "words")), lookup_model(("new", "other", "words"))
    old, new = dense_model(), dense_model()
    new.layers[0].kernel.data.fill_(5.0)
    return old, new


def _save(model, path):
    model.save_weights(path) if str(path).endswith(".weights.h5") else model.save(path)


def _load_check(path, model):
    """The file at `path` holds `model`'s weights."""
    if str(path).endswith(".weights.h5"):
        fresh = dense_model()
        fresh.load_weights(path)
        loaded = fresh
    else:
        loaded = saving.load_model(path)
    for ours, theirs in zip(model.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    if hasattr(model.layers[0], "get_vocabulary"):
        assert loaded.layers[0].get_vocabulary() == model.layers[0].get_vocabulary()


@pytest.mark.parametrize("point", list(POINTS))
def test_killed_save_keeps_the_old_file_and_the_next_save_cleans_up(tmp_path, point):
    suffix, install = POINTS[point]
    path = tmp_path / f"model{suffix}"
    old, new = _models(suffix)
    _save(old, path)
    before = path.read_bytes()

    def killed_save():
        install()
        _save(new, path)
    status = _in_child(killed_save)

    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert path.read_bytes() == before
    _load_check(path, old)
    left = sorted(set(os.listdir(tmp_path)) - {path.name})
    assert left and all(n.startswith(f".{path.name}.") and n.endswith(".tmp") for n in left)
    _save(new, path)
    assert os.listdir(tmp_path) == [path.name]
    _load_check(path, new)


def _temp_name(path, host, pid, tail="abcd1234"):
    return f".{path.name}.{host}.{pid}.{tail}.tmp"


def _dead_pid():
    pid = os.fork()
    if pid == 0:  # pragma: no cover
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_only_stale_temporary_files_are_removed(tmp_path):
    from hocsau.utils import temp_files

    path = tmp_path / "m.keras"
    host = temp_files._host()
    live_parent = _temp_name(path, host, os.getppid())
    dead = _temp_name(path, host, _dead_pid())
    other_host_fresh = _temp_name(path, "elsewhere", 12345)
    other_host_old = _temp_name(path, "elsewhere", 12346)
    old_style_fresh, old_style_old = f".{path.name}.a1b2c3d4.tmp", f".{path.name}.e5f6g7h8.tmp"
    not_ours = [f".{path.name}.notes.txt", f".other.keras.{host}.1.abcd.tmp", "m.keras.tmp"]
    for name in [live_parent, dead, other_host_fresh, other_host_old, old_style_fresh,
                 old_style_old, *not_ours]:
        (tmp_path / name).write_bytes(b"partial")
    (tmp_path / _temp_name(path, host, _dead_pid(), "folder")).mkdir()
    two_days_ago = time.time() - 2 * 24 * 3600
    for name in (other_host_old, old_style_old):
        os.utime(tmp_path / name, (two_days_ago, two_days_ago))
    dense_model().save(path)
    assert sorted(os.listdir(tmp_path)) == sorted(
        [path.name, live_parent, other_host_fresh, old_style_fresh, *not_ours])


def test_a_concurrent_writers_file_survives(tmp_path):
    """A writer paused inside its save keeps its temporary file while another process saves
    the same path; it then finishes, and its file wins."""
    path = tmp_path / "w.weights.h5"
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()

    def slow_writer():
        with atomic.atomic_write(path) as tmp:
            with open(tmp, "wb") as f:
                f.write(b"from the slow writer")
            os.write(ready_w, b"1")
            os.read(go_r, 1)
        os._exit(0)
    pid = os.fork()
    if pid == 0:  # pragma: no cover
        try:
            slow_writer()
        finally:
            os._exit(3)
    os.read(ready_r, 1)
    pending = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    dense_model().save_weights(path)
    assert sorted(os.listdir(tmp_path)) == sorted([path.name, *pending])
    os.write(go_w, b"1")
    assert os.waitpid(pid, 0)[1] == 0
    assert path.read_bytes() == b"from the slow writer"
    for fd in (ready_r, ready_w, go_r, go_w):
        os.close(fd)
