"""BackupAndRestore: an interrupted fit resumes and ends exactly where an uninterrupted one does."""

import json
import os

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


def test_interrupted_fit_resumes_and_matches_an_uninterrupted_run(tmp_path):
    x, y = data()
    reference = make_model()
    expected = reference.fit(x, y, epochs=6, batch_size=16, verbose=0).history["loss"]

    backup = tmp_path / "backup"
    model = make_model()
    with pytest.raises(RuntimeError, match="Interrupting"):
        model.fit(x, y, epochs=6, batch_size=16, verbose=0,
                  callbacks=[callbacks.BackupAndRestore(backup), Interrupt(4)])
    assert json.loads((backup / "training_metadata.json").read_text()) == {"epoch": 4}

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
    assert sorted(os.listdir(tmp_path / "b")) == ["training_metadata.json", "training_state.npz"]
    # 12 batches: saved after batches 4, 8 and 12; the last save was during epoch 1
    assert json.loads((tmp_path / "b" / "training_metadata.json").read_text()) == {"epoch": 1}


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    x, y = data()
    model = make_model()
    with pytest.raises(RuntimeError):
        model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[
            callbacks.BackupAndRestore(tmp_path, double_checkpoint=True), Interrupt(3)])
    (tmp_path / "training_state.npz").write_bytes(b"garbage")
    resumed = make_model()
    history = resumed.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[
        callbacks.BackupAndRestore(tmp_path, double_checkpoint=True)]).history
    assert len(history["loss"]) == 3  # the previous backup was taken after epoch 1


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04" + b"\x00" * 40])
def test_corrupt_backup_raises_a_clear_error(tmp_path, content):
    (tmp_path / "training_state.npz").write_bytes(content)
    (tmp_path / "training_metadata.json").write_text('{"epoch": 1}')
    x, y = data()
    with pytest.raises(ValueError, match="could not read its backup"):
        make_model().fit(x, y, epochs=2, verbose=0,
                         callbacks=[callbacks.BackupAndRestore(tmp_path)])


@pytest.mark.parametrize("kwargs, message", [
    ({"backup_dir": ""}, "Empty `backup_dir`"),
    ({"backup_dir": "b", "save_freq": "batch"}, "save_freq=batch"),
    ({"backup_dir": "b", "save_freq": 0}, "save_freq=0"),
])
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        callbacks.BackupAndRestore(**kwargs)
