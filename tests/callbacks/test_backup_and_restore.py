"""BackupAndRestore: an interrupted fit resumes and ends exactly where an uninterrupted one does."""

import json
import os
import warnings

import numpy as np
import pytest

import hocsau as keras
from hocsau import callbacks, layers


def make_model():
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.Input((6,)), layers.Dense(16, activation="relu"),
                              layers.Dropout(0.3), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 6)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


class Interrupt(callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise RuntimeError("Interrupting!")


def backup_epoch(path):
    with np.load(path) as stored:
        return json.loads(stored["__backup__"].tobytes())["epoch"]


def test_interrupted_fit_resumes_and_matches_an_uninterrupted_run(tmp_path):
    x, y = data()
    reference = make_model()
    expected = reference.fit(x, y, epochs=6, batch_size=16, verbose=0).history["loss"]

    backup = tmp_path / "backup"
    model = make_model()
    with pytest.raises(RuntimeError, match="Interrupting"):
        model.fit(x, y, epochs=6, batch_size=16, verbose=0,
                  callbacks=[callbacks.BackupAndRestore(backup), Interrupt(4)])
    assert backup_epoch(backup / "training_backup.npz") == 4

    resumed = make_model()  # a new process would start from fresh weights and generators
    history = resumed.fit(x, y, epochs=6, batch_size=16, verbose=0,
                          callbacks=[callbacks.BackupAndRestore(backup)]).history
    assert len(history["loss"]) == 2  # epochs 4 and 5 only
    np.testing.assert_allclose(history["loss"], expected[4:], rtol=1e-6)
    for ours, theirs in zip(resumed.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert not backup.exists()  # deleted once training finished


def test_batch_frequency_backup_and_kept_checkpoint(tmp_path):
    x, y = data()
    model = make_model()
    backup = callbacks.BackupAndRestore(tmp_path / "b", save_freq=4, delete_checkpoint=False)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[backup])
    assert os.listdir(tmp_path / "b") == ["training_backup.npz"]
    # 12 batches: saved after batches 4, 8 and 12; the last save was during epoch 1
    assert backup_epoch(tmp_path / "b" / "training_backup.npz") == 1


def interrupted_at(epoch, folder, **kwargs):
    x, y = data()
    with pytest.raises(RuntimeError):
        make_model().fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[
            callbacks.BackupAndRestore(folder, **kwargs), Interrupt(epoch)])


def resumed_epochs(folder, **kwargs):
    """How many epochs a resumed 5-epoch fit trains (so 5 - the epoch it resumes at)."""
    x, y = data()
    history = make_model().fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[
        callbacks.BackupAndRestore(folder, **kwargs)]).history
    return len(history["loss"])


def test_double_checkpoint_keeps_the_previous_backup_as_a_fallback(tmp_path):
    interrupted_at(3, tmp_path, double_checkpoint=True)
    assert sorted(os.listdir(tmp_path)) == ["training_backup.npz", "training_backup.npz.bkp"]
    assert backup_epoch(tmp_path / "training_backup.npz.bkp") == 2
    (tmp_path / "training_backup.npz").write_bytes(b"garbage")
    with pytest.warns(UserWarning, match=r"skips the unreadable backup .*training_backup.npz' "
                                         r"\(ValueError: not an .npz \(zip\) archive\) and "
                                         r"tries the previous backup"):
        assert resumed_epochs(tmp_path, double_checkpoint=True) == 3  # resumed at epoch 2


DAMAGE = {
    "not a zip": b"not a zip",
    "truncated zip": b"PK\x03\x04" + b"\x00" * 40,
    "half a backup": None,  # the first half of the real file's bytes
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_backup_without_fallback_starts_fresh_with_a_warning(tmp_path, damage):
    interrupted_at(2, tmp_path)
    path = tmp_path / "training_backup.npz"
    content = DAMAGE[damage] or path.read_bytes()[:path.stat().st_size // 2]
    path.write_bytes(content)
    with pytest.warns(UserWarning, match="starts training from the current weights"):
        assert resumed_epochs(tmp_path) == 5


def test_a_backup_without_metadata_or_random_states_is_skipped(tmp_path):
    x, _ = data()
    np.savez(tmp_path / "training_backup.npz", weight_0=x)
    with pytest.warns(UserWarning, match=r"ValueError: no '__backup__' entry"):
        assert resumed_epochs(tmp_path, delete_checkpoint=False) == 5
    metadata = np.frombuffer(json.dumps({"format": 2, "epoch": 1}).encode(), np.uint8)
    np.savez(tmp_path / "training_backup.npz", weight_0=x, __backup__=metadata)
    with pytest.warns(UserWarning, match=r"no \['rng_torch'"):
        assert resumed_epochs(tmp_path, delete_checkpoint=False) == 5


@pytest.mark.parametrize("metadata", [{"format": 1, "epoch": 1}, {"format": 2, "epoch": -1},
                                      {"format": 2}, [2, 1]])
def test_unexpected_metadata_is_skipped(tmp_path, metadata):
    interrupted_at(2, tmp_path)
    path = tmp_path / "training_backup.npz"
    with np.load(path) as stored:
        arrays = dict(stored)
    arrays["__backup__"] = np.frombuffer(json.dumps(metadata).encode(), np.uint8)
    np.savez(path, **arrays)
    with pytest.warns(UserWarning, match="skips the unreadable backup"):
        assert resumed_epochs(tmp_path) == 5


def test_older_layout_and_interrupted_writes_are_removed(tmp_path):
    interrupted_at(3, tmp_path)
    # What an older version and killed writes leave behind, beside a complete backup
    (tmp_path / "training_state.npz").write_bytes(b"old state")
    (tmp_path / "training_metadata.json").write_text('{"epoch": 4}')
    (tmp_path / ".training_backup.npz.abc123.tmp").write_bytes(b"PK half")
    (tmp_path / "notes.txt").write_text("the user's own file")
    with pytest.warns(UserWarning, match=r"removes the backup files .*training_state.npz"):
        assert resumed_epochs(tmp_path, delete_checkpoint=False) == 2  # the complete backup
    assert sorted(os.listdir(tmp_path)) == ["notes.txt", "training_backup.npz"]


def test_older_layout_alone_starts_fresh(tmp_path):
    (tmp_path / "training_state.npz").write_bytes(b"old state")
    (tmp_path / "training_metadata.json").write_text('{"epoch": 4}')
    with pytest.warns(UserWarning, match="older layout"):
        assert resumed_epochs(tmp_path) == 5
    assert not tmp_path.exists()


def test_a_missing_latest_backup_resumes_from_the_previous_one_silently(tmp_path):
    # What a kill between renaming the latest backup to .bkp and writing the next leaves
    interrupted_at(3, tmp_path, double_checkpoint=True)
    os.remove(tmp_path / "training_backup.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resumed_epochs(tmp_path, double_checkpoint=True) == 3


def test_a_backup_of_another_model_is_refused_before_anything_is_restored(tmp_path):
    interrupted_at(2, tmp_path)
    other = keras.Sequential([keras.Input((6,)), layers.Dense(4), layers.Dense(1)])
    other.compile(optimizer="adam", loss="mse")
    before = other.get_weights()
    x, y = data()
    with pytest.raises(ValueError, match=r"does not fit this model: expected weights of shapes "
                                         r"\[\(6, 4\), \(4,\), \(4, 1\), \(1,\)\].*Received: "
                                         r"weights of shapes \[\(6, 16\)"):
        other.fit(x, y, epochs=3, verbose=0, callbacks=[callbacks.BackupAndRestore(tmp_path)])
    for now, then in zip(other.get_weights(), before, strict=True):
        np.testing.assert_array_equal(now, then)


@pytest.mark.parametrize("kwargs, message", [
    ({"backup_dir": ""}, "Empty `backup_dir`"),
    ({"backup_dir": "b", "save_freq": "batch"}, "save_freq=batch"),
    ({"backup_dir": "b", "save_freq": 0}, "save_freq=0"),
])
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        callbacks.BackupAndRestore(**kwargs)
