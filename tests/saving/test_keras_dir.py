"""Unzipped Keras model folders (`zipped=False`, tf.keras 2's SavedModel and `.ckpt` paths):
written and read both ways with Keras 3."""

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


def test_saved_model_idiom_of_seed_004(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    original = _model(hocsau)
    original.save("models/model_1/SavedModel_format")
    model = hocsau.models.load_model("models/model_1/SavedModel_format")
    np.testing.assert_allclose(model.predict(X, verbose=0), original.predict(X, verbose=0),
                               rtol=1e-6)
    model.save("models/model_1/SavedModel_format", save_format="tf")  # overwrites in place
    assert os.listdir("models/model_1") == ["SavedModel_format"]
    with pytest.raises(FileExistsError):
        model.save("models/model_1/SavedModel_format", overwrite=False)


def test_checkpoints_with_ckpt_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = _model(hocsau)
    checkpoint = callbacks.ModelCheckpoint(filepath="models/checkpoint.ckpt", monitor="val_loss",
                                           verbose=0, save_best_only=False,
                                           save_weights_only=False)
    model.fit(X, X[:, :1], epochs=2, validation_data=(X, X[:, :1]), verbose=0,
              callbacks=[checkpoint])
    assert os.path.isdir("models/checkpoint.ckpt")
    new_model = _model(hocsau)
    new_model.load_weights("models/checkpoint.ckpt")
    np.testing.assert_allclose(new_model.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6)
    reloaded = hocsau.models.load_model("models/checkpoint.ckpt")
    np.testing.assert_allclose(reloaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6)
    weights_only = callbacks.ModelCheckpoint("weights/cp-{epoch:04d}.ckpt",
                                             save_weights_only=True)
    model.fit(X, X[:, :1], epochs=1, verbose=0, callbacks=[weights_only])
    assert os.path.isfile("weights/cp-0001.ckpt") and os.listdir("weights") == ["cp-0001.ckpt"]
    fresh = _model(hocsau)
    fresh.load_weights("weights/cp-0001.ckpt")
    np.testing.assert_allclose(fresh.get_weights()[0], model.get_weights()[0])
    keras_model = _model(keras)
    keras_model.load_weights(_as_weights_h5("weights/cp-0001.ckpt"))  # Keras's weights format
    np.testing.assert_allclose(keras_model.get_weights()[0], model.get_weights()[0])


def _as_weights_h5(path):
    target = path + ".weights.h5"
    with open(path, "rb") as source, open(target, "wb") as copy:
        copy.write(source.read())
    return target


def test_save_weights_to_a_tf_checkpoint_name(tmp_path):
    model = _model(hocsau)
    model.save_weights(tmp_path / "my_checkpoint")
    fresh = _model(hocsau)
    fresh.load_weights(tmp_path / "my_checkpoint")
    np.testing.assert_allclose(fresh.get_weights()[1], model.get_weights()[1])
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        model.save_weights(tmp_path / "weights.pt")


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
