"""`.keras` files: hocsau round trips, optimizer state, and exchange with Keras 3."""

import json
import zipfile

import keras
import numpy as np
import pytest
import torch
from saving_models import build_models, make_data, predictions

import hocsau
from hocsau import saving


@pytest.fixture
def data():
    return make_data()

KINDS = ["sequential", "functional", "subclassed"]


def _copy_weights(source, target):
    target.set_weights([np.asarray(w) for w in source.get_weights()])


@pytest.mark.parametrize("kind", KINDS)
def test_hocsau_round_trip(tmp_path, data, kind):
    model = build_models(hocsau)[kind]
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = saving.load_model(path)
    assert type(loaded).__name__ == type(model).__name__
    for a, b in zip(predictions(model, data[0]), predictions(loaded, data[0]), strict=True):
        np.testing.assert_array_equal(a, b)
    assert [w.shape for w in loaded.weights] == [w.shape for w in model.weights]


@pytest.mark.parametrize("kind", KINDS)
def test_hocsau_file_loads_in_keras(tmp_path, data, kind):
    model = build_models(hocsau)[kind]
    path = tmp_path / "m.keras"
    model.save(path)
    theirs = keras.saving.load_model(path)
    for a, b in zip(predictions(model, data[0]), predictions(theirs, data[0]), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # float32 rounding


@pytest.mark.parametrize("kind", KINDS)
def test_keras_file_loads_in_hocsau(tmp_path, data, kind):
    theirs = build_models(keras)[kind]
    path = tmp_path / "k.keras"
    theirs.save(path)
    ours = saving.load_model(path)
    for a, b in zip(predictions(theirs, data[0]), predictions(ours, data[0]), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # float32 rounding


def test_weights_layout_matches_keras(tmp_path):
    import h5py

    ours, theirs = build_models(hocsau)["functional"], build_models(keras)["functional"]
    ours.save(tmp_path / "h.keras")
    theirs.save(tmp_path / "k.keras")

    def tree(path):
        with zipfile.ZipFile(path) as archive, h5py.File(
                archive.open("model.weights.h5"), "r") as h5file:
            names = []
            h5file.visititems(lambda name, obj: names.append((name, getattr(obj, "shape", None))))
            return names

    assert tree(tmp_path / "h.keras") == tree(tmp_path / "k.keras")
    with zipfile.ZipFile(tmp_path / "h.keras") as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(archive.read("config.json"))
    assert config["module"] == "keras.src.models.functional"
    assert config["config"]["output_layers"] == [["shared", 0, 0], ["inner", 0, 0]]
    assert config["config"]["layers"][-2]["inbound_nodes"][1]["args"][0]["config"][
        "keras_history"] == ["right", 0, 0]


def test_optimizer_state_resumes_training(tmp_path, data):
    x, y = data
    model = build_models(hocsau)["sequential"]
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, batch_size=5, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = saving.load_model(tmp_path / "m.keras")
    assert int(loaded.optimizer.iterations) == 2
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    for resumed in (model, loaded):
        torch.manual_seed(3)  # the same dropout masks in both
        resumed.fit(x, y, epochs=1, batch_size=5, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", "nadam", "ftrl"])
def test_optimizer_state_crosses_to_keras(tmp_path, data, optimizer):
    x, y = data
    model = build_models(hocsau)["sequential"]
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, y, epochs=1, batch_size=5, verbose=0)
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    assert int(theirs.optimizer.iterations) == 1
    assert len(theirs.optimizer.variables) == len(model.optimizer.variables)
    for a, b in zip(model.optimizer.variables, theirs.optimizer.variables, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6)


def test_compile_false_skips_compile(tmp_path):
    model = build_models(hocsau)["sequential"]
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "m.keras")
    assert saving.load_model(tmp_path / "m.keras", compile=False).optimizer is None
    assert type(saving.load_model(tmp_path / "m.keras").optimizer).__name__ == "SGD"


def test_to_json_and_model_from_json(data):
    model = build_models(hocsau)["functional"]
    text = model.to_json()
    assert json.loads(text)["class_name"] == "Functional"
    rebuilt = hocsau.models.model_from_json(text)
    _copy_weights(model, rebuilt)
    for a, b in zip(predictions(model, data[0]), predictions(rebuilt, data[0]), strict=True):
        np.testing.assert_array_equal(a, b)


def test_load_weights_from_keras_archive(tmp_path, data):
    source = build_models(hocsau)["sequential"]
    source.save(tmp_path / "m.keras")
    target = build_models(hocsau)["sequential"]
    target.load_weights(tmp_path / "m.keras")
    np.testing.assert_array_equal(predictions(source, data[0])[0], predictions(target, data[0])[0])


def test_save_rejects_other_extensions(tmp_path):
    model = build_models(hocsau)["sequential"]
    with pytest.raises(ValueError, match="Invalid filepath extension for saving"):
        saving.save_model(model, tmp_path / "m.zip")
    with pytest.raises(ValueError, match="File format not supported"):
        saving.load_model(tmp_path / "m.zip")
    with pytest.raises(ValueError, match="`zipped=False`, the `filepath` argument should not"):
        model.save(tmp_path / "m.keras", zipped=False)
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError, match="already exists and overwrite=False"):
        model.save(tmp_path / "m.keras", overwrite=False)


def test_unbuilt_model_warns(tmp_path):
    model = hocsau.Sequential([hocsau.layers.Dense(2)])
    with pytest.warns(UserWarning, match="saving a model that has not yet been built"):
        model.save(tmp_path / "unbuilt.keras")
    assert saving.load_model(tmp_path / "unbuilt.keras").layers[0].units == 2


def test_lambda_layers_cross_with_safe_mode_off(tmp_path, data):
    x = data[0]
    ours = hocsau.Sequential([hocsau.Input((3,)), hocsau.layers.Lambda(lambda t: t * 2 + 1),
                              hocsau.layers.Dense(2)])
    ours.save(tmp_path / "h.keras")
    theirs = keras.saving.load_model(tmp_path / "h.keras", safe_mode=False)
    np.testing.assert_allclose(predictions(theirs, x)[0], predictions(ours, x)[0], rtol=1e-6)
    native = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2 + 1),
                               keras.layers.Dense(2)])
    native.save(tmp_path / "k.keras")
    with pytest.raises(ValueError, match="k.keras.*deserialization of a Python lambda"):
        saving.load_model(tmp_path / "k.keras")
    loaded = saving.load_model(tmp_path / "k.keras", safe_mode=False)
    np.testing.assert_allclose(predictions(loaded, x)[0], predictions(native, x)[0], rtol=1e-6)
