"""Functional configs in Keras 3's format: keys, node references, rebuilt graphs."""

import keras
import numpy as np
import pytest
from saving_models import make_data, predictions

import hocsau
from hocsau import layers


def _graph(lib):
    inp = lib.Input((3,), name="x")
    shared = lib.layers.Dense(3, name="shared")
    a = shared(inp)
    b = shared(a)
    inner_in = lib.Input((3,), name="inner_x")
    inner = lib.Model(inner_in, lib.layers.Dense(2, name="inner_dense")(inner_in), name="inner")
    return lib.Model(inp, {"first": inner(a), "second": b}, name="graph")


def test_config_keys_match_keras():
    ours, theirs = _graph(hocsau).get_config(), _graph(keras).get_config()
    assert set(ours) == set(theirs)
    assert [entry["name"] for entry in ours["layers"]] == [e["name"] for e in theirs["layers"]]
    assert ours["input_layers"] == theirs["input_layers"] == ["x", 0, 0]
    assert ours["output_layers"] == theirs["output_layers"] == {
        "first": ["inner", 1, 0], "second": ["shared", 1, 0]}
    shared = next(e for e in ours["layers"] if e["name"] == "shared")
    assert [n["args"][0]["config"]["keras_history"] for n in shared["inbound_nodes"]] == [
        ["x", 0, 0], ["shared", 0, 0]]
    assert shared["inbound_nodes"][0]["args"][0]["class_name"] == "__keras_tensor__"


def test_rebuilt_graph_shares_layers_and_nests_models():
    x, _ = make_data()
    model = _graph(hocsau)
    rebuilt = hocsau.Model.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    assert len(rebuilt.get_layer("shared")._inbound_nodes) == 2
    assert isinstance(rebuilt.get_layer("inner"), hocsau.models.Functional)
    ours, theirs = model.predict(x, verbose=0), rebuilt.predict(x, verbose=0)
    assert sorted(theirs) == ["first", "second"]
    for key in ours:
        np.testing.assert_array_equal(np.asarray(ours[key]), np.asarray(theirs[key]))


def test_keras_config_rebuilds_here():
    x, _ = make_data()
    theirs = _graph(keras)
    ours = hocsau.Model.from_config(theirs.get_config())
    ours.set_weights(theirs.get_weights())
    expected, got = theirs.predict(x, verbose=0), ours.predict(x, verbose=0)
    for key in expected:
        np.testing.assert_allclose(np.asarray(got[key]), expected[key], rtol=1e-6)


def test_operations_round_trip_through_keras(tmp_path):
    x, _ = make_data()
    inp = hocsau.Input((3,))
    model = hocsau.Model(inp, layers.Dense(2)(inp) * 2 + 1)
    config = model.get_config()
    assert [e["class_name"] for e in config["layers"]][-2:] == ["Multiply", "Add"]
    model.save(tmp_path / "ops.keras")
    theirs = keras.saving.load_model(tmp_path / "ops.keras")
    np.testing.assert_allclose(predictions(theirs, x)[0], predictions(model, x)[0], rtol=1e-6)
    back = hocsau.saving.load_model(tmp_path / "ops.keras")
    np.testing.assert_array_equal(predictions(back, x)[0], predictions(model, x)[0])


def test_nn_math_and_activation_operations_load_in_keras(tmp_path):
    """Each operation is written under the Keras module holding its class (Silu in ops.nn,
    Erf in ops.math, Tanh in ops.numpy), so Keras can load the file."""
    x, _ = make_data()
    inp = hocsau.Input((3,))
    h = layers.Dense(4)(inp)
    out = hocsau.activations.swish(h) + hocsau.ops.erf(h) + hocsau.activations.tanh(h)
    model = hocsau.Model(inp, hocsau.ops.sigmoid(out))
    modules = {e["class_name"]: e["module"] for e in model.get_config()["layers"]}
    assert modules["Silu"] == modules["Sigmoid"] == "keras.src.ops.nn"
    assert (modules["Erf"], modules["Tanh"]) == ("keras.src.ops.math", "keras.src.ops.numpy")
    model.save(tmp_path / "ops.keras")
    theirs = keras.saving.load_model(tmp_path / "ops.keras")
    np.testing.assert_allclose(predictions(theirs, x)[0], predictions(model, x)[0], rtol=1e-6)


def test_keras_operation_options_in_the_config_are_kept(tmp_path):
    """Keras writes an operation's options in its config (Gelu's approximate=False, which
    is not ops.gelu's default; Softmax's axis): the rebuilt model uses them."""
    inp = keras.Input((3, 4))
    h = keras.layers.Dense(4)(inp)
    theirs = keras.Model(inp, keras.ops.softmax(keras.ops.gelu(h, approximate=False), axis=1))
    theirs.save(tmp_path / "keras_ops.keras")
    ours = hocsau.saving.load_model(tmp_path / "keras_ops.keras")
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32") * 3
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_tf_keras_node_format():
    config = {"name": "m", "trainable": True,
              "layers": [{"class_name": "InputLayer", "name": "in", "inbound_nodes": [],
                          "config": {"batch_input_shape": [None, 2], "name": "in"}},
                         {"class_name": "Dense", "name": "d", "config": {"units": 1, "name": "d"},
                          "inbound_nodes": [[["in", 0, 0, {}]]]}],
              "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]}
    model = hocsau.Model.from_config(config)
    assert model.output_shape == (None, 1)


def test_broken_graph_is_reported():
    config = _graph(hocsau).get_config()
    shared = next(e for e in config["layers"] if e["name"] == "shared")
    shared["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["shared", 1, 0]
    with pytest.raises(ValueError, match="graph has loops or disconnected nodes. Unresolved "
                                         r"layers: \['inner', 'shared'\]"):
        hocsau.Model.from_config(config)


@hocsau.saving.register_keras_serializable(package="SavingTest")
class WideNet(hocsau.Model):
    """A functional subclass whose constructor takes its own arguments."""

    def __init__(self, units=2, **kwargs):
        inp = hocsau.Input((3,))
        super().__init__(inp, layers.Dense(units)(inp), **kwargs)
        self.units = units


def test_functional_subclass_saves_constructor_arguments(tmp_path):
    x, _ = make_data()
    model = WideNet(4)
    assert model.get_config()["units"] == 4 and "layers" not in model.get_config()
    model.save(tmp_path / "wide.keras")
    loaded = hocsau.saving.load_model(tmp_path / "wide.keras")
    assert type(loaded).__name__ == "WideNet" and loaded.units == 4
    np.testing.assert_array_equal(predictions(loaded, x)[0], predictions(model, x)[0])
