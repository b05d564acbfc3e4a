"""Functional models: graphs with several inputs/outputs, shared layers, nested models."""

import numpy as np
import pytest

import hocsau as keras
from hocsau import layers


def test_model_call_returns_functional_with_keras_layer_order():
    inputs = keras.Input(shape=(8,))
    h = layers.Dense(4, name="hidden")(inputs)
    model = keras.Model(inputs, layers.Dense(2, name="out")(h), name="net")
    assert type(model).__name__ == "Functional" and model.name == "net"
    assert [layer.name for layer in model.layers][1:] == ["hidden", "out"]
    assert type(model.layers[0]).__name__ == "InputLayer"
    assert model.output_shape == (None, 2) and model.count_params() == 36 + 10
    assert model.get_layer("hidden") is model.layers[1] and model.get_layer(index=2).name == "out"


def test_two_inputs_two_outputs_and_shared_layer():
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(3,), name="b")
    shared = layers.Dense(2, name="shared")
    ha, hb = shared(a), shared(b)
    total = layers.Dense(1, name="total")(keras.ops.concatenate([ha, hb], axis=-1)) if hasattr(
        keras, "ops") else None
    diff = ha - hb
    model = keras.Model([a, b], [diff, total] if total is not None else [diff])
    x1 = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    x2 = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
    outputs = model.predict([x1, x2], verbose=0)
    kernel, bias = shared.get_weights()
    np.testing.assert_allclose(outputs[0], (x1 @ kernel + bias) - (x2 @ kernel + bias),
                               rtol=1e-5, atol=1e-6)
    by_name = model.predict({"a": x1, "b": x2}, verbose=0)
    np.testing.assert_allclose(by_name[0], outputs[0], rtol=1e-6)


def test_nested_model_as_layer():
    inner_in = keras.Input(shape=(4,))
    inner = keras.Model(inner_in, layers.Dense(3)(inner_in), name="inner")
    outer_in = keras.Input(shape=(4,))
    outer = keras.Model(outer_in, layers.Dense(1)(inner(outer_in)))
    assert outer.count_params() == 15 + 4
    assert [w.shape for w in outer.get_weights()] == [(4, 3), (3,), (3, 1), (1,)]


def test_disconnected_graph_is_reported():
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(keras.Input((3,)), layers.Dense(1)(keras.Input((3,))))


def test_symbolic_arithmetic_records_op_nodes():
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, (inputs * 2.0 + 1.0)[:, :2])
    assert model.output_shape == (None, 2)
    np.testing.assert_allclose(model.predict(np.ones((2, 3), "float32"), verbose=0),
                               np.full((2, 2), 3.0))


def test_subclass_with_inputs_and_outputs_becomes_functional():
    class Wrapped(keras.Model):
        def __init__(self):
            inputs = keras.Input(shape=(2,))
            super().__init__(inputs, layers.Dense(1)(inputs))

    model = Wrapped()
    assert model.count_params() == 3 and model.output_shape == (None, 1)


def test_operations_stay_out_of_layers_as_in_keras():
    import keras as reference

    names = {}
    for lib in (keras, reference):
        a, b = lib.Input((3,), name="a"), lib.Input((3,), name="b")
        d = lib.layers.Dense(2, name="d")
        out = lib.layers.Dense(1, name="head")(d(a) + d(b) * 2.0)
        m = lib.Model([a, b], out)
        names[lib.__name__] = ([la.name for la in m.layers],
                               [type(op).__name__ for op in m.operations])
    assert names["hocsau"][0] == names["keras"][0] == ["a", "b", "d", "head"]
    assert len(names["hocsau"][1]) == len(names["keras"][1]) == 6


def test_dict_inputs_flatten_in_key_order_as_in_keras():
    import keras as reference

    for lib in (keras, reference):
        b, a = lib.Input((2,), name="b"), lib.Input((3,), name="a")
        out = lib.layers.Dense(1)(lib.layers.Concatenate()([b, a]))
        model = lib.Model({"b": b, "a": a}, out)
        assert [t.name for t in model.inputs] == ["a", "b"]
        assert [layer.name for layer in model.layers][:2] == ["b", "a"]


@pytest.mark.parametrize("wrap", [list, tuple])
def test_outputs_given_as_a_list_of_one_return_the_tensor_as_in_keras(wrap):
    import keras as real_keras

    x = np.arange(8, dtype="float32").reshape(2, 4)
    results = {}
    for lib in (keras, real_keras):
        inputs = lib.Input((4,))
        model = lib.Model([inputs], wrap([lib.layers.Dense(3, name="d")(inputs)]))
        if lib is real_keras:
            model.set_weights(results["ours"]["weights"])
        symbolic = model([lib.Input((4,))])
        results["ours" if lib is keras else "theirs"] = {
            "weights": model.get_weights(), "call": np.asarray(model([x]).detach()),
            "predict": model.predict([x], verbose=0), "output_shape": model.output_shape,
            "input_shape": model.input_shape, "symbolic": type(symbolic).__name__,
            "symbolic_len": len(symbolic), "output_is_list": isinstance(model.output, list)}
    ours, theirs = results["ours"], results["theirs"]
    assert ours["predict"].shape == (2, 3) and ours["call"].shape == (2, 3)
    np.testing.assert_allclose(ours["predict"], theirs["predict"], rtol=1e-6)
    np.testing.assert_allclose(ours["call"], theirs["call"], rtol=1e-6)
    assert ours["output_shape"] == theirs["output_shape"] == (None, 3)
    assert ours["input_shape"] == theirs["input_shape"] == (None, 4)
    assert ours["symbolic"] == theirs["symbolic"] == wrap.__name__
    assert ours["symbolic_len"] == 1 and ours["output_is_list"] == theirs["output_is_list"]
