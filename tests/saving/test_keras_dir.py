"""Unzipped Keras model folders (`zipped=False`) written and read both ways with Keras 3;
tf.keras 2's SavedModel and `.ckpt` paths refused with Keras 3's messages (the seed
acceptance scripts ex08 / ex09 require the refusals)."""

import os

import keras
import numpy as np
import pytest

import hocsau
from hocsau import callbacks, saving

X = np.random.default_rng(0).normal(size=(6, 3)).astype("float32")


def _model(lib):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(4, activation="relu"),
                            lib.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, X[:, :1], epochs=1, verbose=0)
    return model


def test_folders_cross_with_keras_both_ways(tmp_path):
    ours = _model(hocsau)
    ours.save(tmp_path / "ours", zipped=False)
    assert sorted(os.listdir(tmp_path / "ours")) == ["config.json", "metadata.json",
                                                     "model.weights.h5"]
    theirs = keras.saving.load_model(tmp_path / "ours")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(theirs(X)),
                               ours.predict(X, verbose=0), rtol=1e-5, atol=1e-6)
    keras_model = _model(keras)
    keras_model.save(tmp_path / "theirs", zipped=False)
    loaded = saving.load_model(tmp_path / "theirs")
    np.testing.assert_allclose(loaded.predict(X, verbose=0),
                               keras.ops.convert_to_numpy(keras_model(X)), rtol=1e-5, atol=1e-6)
    assert loaded.optimizer.iterations.item() == 1  # optimizer state came along


def _refusal(make):
    with pytest.raises(ValueError) as info:
        make()
    return str(info.value)


@pytest.mark.parametrize("path", ["models/model_1/SavedModel_format", "models/checkpoint.ckpt"])
def test_tf2_paths_are_refused_as_keras_refuses_them(tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    ours, theirs = _model(hocsau), _model(keras)
    assert _refusal(lambda: ours.save(path)) == _refusal(lambda: theirs.save(path))
    assert _refusal(lambda: ours.save(path, save_format="tf")) == _refusal(
        lambda: theirs.save(path, save_format="tf"))
    assert _refusal(lambda: ours.save_weights(path)) == _refusal(
        lambda: theirs.save_weights(path))
    for weights_only in (False, True):
        assert _refusal(lambda w=weights_only: callbacks.ModelCheckpoint(
            path, save_weights_only=w)) == _refusal(
            lambda w=weights_only: keras.callbacks.ModelCheckpoint(path, save_weights_only=w))
    assert not os.path.exists("models")


def test_folder_loading_skips_links_and_names_the_folder(tmp_path):
    model = _model(hocsau)
    model.save(tmp_path / "m", zipped=False)
    os.remove(tmp_path / "m" / "model.weights.h5")
    os.symlink(tmp_path / "elsewhere.h5", tmp_path / "m" / "model.weights.h5")
    (tmp_path / "elsewhere.h5").write_bytes(b"not read")
    with pytest.raises(ValueError, match=str(tmp_path / "m")):
        saving.load_model(tmp_path / "m")
    with pytest.raises(ValueError, match="File format not supported"):
        saving.load_model(tmp_path)
