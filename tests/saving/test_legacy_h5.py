"""TF-Keras `.h5` full-model files: a file written by hand in TF-Keras's layout, round
trips, and Keras 3 reading ours."""

import json

import h5py
import keras
import numpy as np
import pytest
from saving_models import make_data, predictions

import hocsau
from hocsau import layers, saving


def _tf_keras_functional(path, kernel, bias):
    """A TF-Keras 2 functional model file: Keras 2 configs, nested-list inbound nodes,
    `:0` weight names."""
    config = {"class_name": "Functional", "config": {
        "name": "model", "trainable": True,
        "layers": [
            {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 3], "dtype": "float32", "sparse": False,
                        "ragged": False, "name": "input_1"}},
            {"class_name": "Dense", "name": "dense", "inbound_nodes": [[["input_1", 0, 0, {}]]],
             "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 2,
                        "activation": "relu", "use_bias": True,
                        "kernel_initializer": {"class_name": "GlorotUniform",
                                               "config": {"seed": None}},
                        "bias_initializer": {"class_name": "Zeros", "config": {}},
                        "kernel_regularizer": None, "bias_regularizer": None,
                        "activity_regularizer": None, "kernel_constraint": None,
                        "bias_constraint": None}}],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.13.1"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = [b"input_1", b"dense"]
        weights.attrs["backend"] = b"tensorflow"
        weights.attrs["keras_version"] = b"2.13.1"
        weights.create_group("input_1").attrs["weight_names"] = []
        dense = weights.create_group("dense")
        dense.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        dense["dense/kernel:0"] = kernel
        dense["dense/bias:0"] = bias


def test_reads_tf_keras_file(tmp_path):
    rng = np.random.default_rng(0)
    kernel, bias = rng.normal(size=(3, 2)).astype("float32"), np.array([0.5, -0.5], "float32")
    _tf_keras_functional(tmp_path / "tf.h5", kernel, bias)
    model = saving.load_model(tmp_path / "tf.h5")
    x, _ = make_data()
    np.testing.assert_allclose(predictions(model, x)[0], np.maximum(x @ kernel + bias, 0),
                               rtol=1e-6)
    assert model.layers[1].name == "dense"


def test_round_trip_with_compile(tmp_path):
    x, y = make_data()
    model = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(4, activation="relu"),
                               layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        assert sorted(f.attrs) == ["backend", "keras_version", "model_config",
                                   "training_config"]
        layer_names = [str(n, "utf8") if isinstance(n, bytes) else n
                       for n in f["model_weights"].attrs["layer_names"]]
        names = [str(n, "utf8") if isinstance(n, bytes) else n
                 for n in f["model_weights"][model.layers[0].name].attrs["weight_names"]]
    assert layer_names == [layer.name for layer in model.layers]
    assert names == [w.path for w in model.layers[0].weights]
    loaded = saving.load_model(tmp_path / "m.h5")
    np.testing.assert_array_equal(predictions(model, x)[0], predictions(loaded, x)[0])
    assert type(loaded.optimizer).__name__ == "Adam"


def test_keras_reads_our_h5(tmp_path):
    x, _ = make_data()
    inp = hocsau.Input((3,), name="x")
    shared = layers.Dense(2, name="shared")
    model = hocsau.Model(inp, [shared(layers.Dense(2)(inp)), shared(layers.Dense(2)(inp))])
    model.save(tmp_path / "f.h5")
    theirs = keras.saving.load_model(tmp_path / "f.h5", compile=False)
    for a, b in zip(predictions(model, x), predictions(theirs, x), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_load_weights_by_position_and_name(tmp_path):
    source = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(2, name="a")])
    source.save(tmp_path / "m.h5")
    by_position = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(2, name="b")])
    by_position.load_weights(tmp_path / "m.h5")
    np.testing.assert_array_equal(by_position.get_weights()[0], source.get_weights()[0])
    by_name = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(2, name="b")])
    by_name.load_weights(tmp_path / "m.h5", by_name=True)
    assert not np.array_equal(by_name.get_weights()[0], source.get_weights()[0])


def test_errors(tmp_path):
    with h5py.File(tmp_path / "weights_only.h5", "w") as f:
        f.attrs["layer_names"] = []
    with pytest.raises(ValueError, match="No model config found in the file at .*weights_only"):
        saving.load_model(tmp_path / "weights_only.h5")
    (tmp_path / "broken.h5").write_bytes(b"not hdf5 at all")
    with pytest.raises(ValueError, match="broken.h5.*not a valid HDF5 file"):
        saving.load_model(tmp_path / "broken.h5")
    source = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(2)])
    source.save(tmp_path / "m.h5")
    wider = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(4)])
    with pytest.raises(ValueError, match=r"m.h5.*weight 'kernel' has shape \(3, 4\), but the "
                                         r"saved value has shape \(3, 2\)"):
        wider.load_weights(tmp_path / "m.h5")
