"""ModelCheckpoint: file names, best-only saving, batch frequency and the saved content."""

import os

import numpy as np
import pytest

import hocsau as keras
from hocsau import callbacks, layers


def make_model():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype("float32")
    return x, x[:, :1] - x[:, 1:2]


class Snapshots(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


@pytest.mark.parametrize("kwargs, message", [
    ({"filepath": "models/checkpoint.pt", "save_weights_only": True},
     "must end in `.weights.h5`"),
    ({"filepath": "models/checkpoint.pt"}, "must end in `.keras`"),
    ({"filepath": "m.keras", "save_freq": "often"}, "save_freq=often"),
])
def test_bad_arguments_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        callbacks.ModelCheckpoint(**kwargs)


def test_one_file_per_epoch_from_the_template(tmp_path):
    x, y = data()
    template = str(tmp_path / "ckpt_{epoch:02d}_{loss:.3f}.keras")
    history = make_model().fit(x, y, epochs=3, verbose=0,
                               callbacks=[callbacks.ModelCheckpoint(template)]).history
    expected = [f"ckpt_{e + 1:02d}_{loss:.3f}.keras" for e, loss in enumerate(history["loss"])]
    assert sorted(os.listdir(tmp_path)) == expected
    reloaded = keras.models.load_model(tmp_path / expected[-1])
    assert reloaded.count_params() == 49


def test_save_best_only_keeps_the_best_epoch(tmp_path):
    x, y = data()
    path = tmp_path / "best.weights.h5"
    model, snapshots = make_model(), Snapshots()
    history = model.fit(x, y, epochs=6, validation_data=(x[:10], y[:10]), verbose=0,
                        callbacks=[snapshots, callbacks.ModelCheckpoint(
                            path, save_best_only=True, save_weights_only=True)]).history
    best = int(np.argmin(history["val_loss"]))
    fresh = make_model()
    fresh.load_weights(path)
    for ours, expected in zip(fresh.get_weights(), snapshots.weights[best], strict=True):
        np.testing.assert_array_equal(ours, expected)


def test_initial_value_threshold_prevents_worse_saves(tmp_path):
    x, y = data()
    path = tmp_path / "best.keras"
    make_model().fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.ModelCheckpoint(
        path, monitor="loss", save_best_only=True, initial_value_threshold=1e-9)])
    assert not path.exists()


def test_save_freq_in_batches_names_the_batch(tmp_path):
    x, y = data()  # 40 rows, batch 10: 4 batches an epoch
    template = str(tmp_path / "e{epoch}_b{batch}.weights.h5")
    make_model().fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[
        callbacks.ModelCheckpoint(template, save_weights_only=True, save_freq=3)])
    assert sorted(os.listdir(tmp_path)) == ["e1_b3.weights.h5", "e2_b2.weights.h5"]


def test_verbose_messages(tmp_path, capsys):
    x, y = data()
    make_model().fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.ModelCheckpoint(
        tmp_path / "m.keras", monitor="loss", save_best_only=True, verbose=1)])
    out = capsys.readouterr().out
    assert "Epoch 1: loss improved from None to" in out and "saving model to" in out


def test_unknown_template_field_names_the_available_keys(tmp_path):
    x, y = data()
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "{val_auc}.keras"))
    with pytest.raises(KeyError, match="no logged value named .*val_auc"):
        make_model().fit(x, y, epochs=1, verbose=0, callbacks=[checkpoint])
