"""`models.clone_model`: same architecture, new weights; clone_function, call_function,
input_tensors."""

import numpy as np
import pytest

import hocsau
from hocsau import layers, models


def _functional():
    inp = hocsau.Input((3,), name="x")
    shared = layers.Dense(3, name="shared")
    out = shared(shared(inp)) * 2
    return hocsau.Model(inp, [out, layers.Dense(1, name="head")(inp)], name="f")


def _x():
    return np.random.default_rng(0).random((4, 3), dtype=np.float32)


def _outputs(model, x):
    out = model(x)
    return [np.asarray(o.detach()) for o in (out if isinstance(out, list) else [out])]


def test_functional_clone_has_new_weights_and_same_graph():
    model = _functional()
    clone = models.clone_model(model)
    def kinds(m):  # operation layers get fresh names (multiply_1)
        return [la.name if type(la).__name__ != "OpLayer" else la.op_class_name
                for la in m.operations]

    assert kinds(clone) == kinds(model) == ["x", "shared", "Multiply", "head"]
    assert [la.name for la in clone.layers] == ["x", "shared", "head"]
    assert len(clone.get_layer("shared")._inbound_nodes) == 2
    assert all(a is not b for a, b in zip(clone.weights, model.weights, strict=True))
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])
    clone.set_weights(model.get_weights())
    for a, b in zip(_outputs(model, _x()), _outputs(clone, _x()), strict=True):
        np.testing.assert_array_equal(a, b)


def test_clone_function_can_share_layers():
    model = _functional()
    clone = models.clone_model(model, clone_function=lambda layer: layer)
    assert clone.get_layer("head") is model.get_layer("head")
    for a, b in zip(_outputs(model, _x()), _outputs(clone, _x()), strict=True):
        np.testing.assert_array_equal(a, b)


def test_call_function_wraps_each_call():
    calls = []

    def call_function(layer, *args, **kwargs):
        calls.append(layer.name)
        return layer(*args, **kwargs)

    models.clone_model(_functional(), call_function=call_function)
    assert calls == ["shared", "shared", "head"]


def test_input_tensors():
    new_input = hocsau.Input((3,), name="new_x")
    clone = models.clone_model(_functional(), input_tensors=new_input)
    assert clone.input_names == ["new_x"]
    with pytest.raises(ValueError, match=r"`input_tensors` must be 1 symbolic tensor\(s\)"):
        models.clone_model(_functional(), input_tensors=[new_input, new_input])


def test_sequential_clone():
    model = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(4), layers.Dense(2)])
    clone = models.clone_model(model)
    assert clone.input_shape == (None, 3) and clone.output_shape == (None, 2)
    assert clone.count_params() == model.count_params() == 26
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])
    fed = models.clone_model(model, input_tensors=hocsau.Input((3,), name="fed"))
    assert fed.output_shape == (None, 2)


def test_recursive_clone_reaches_nested_layers():
    inner = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(2, name="inner_dense")],
                              name="inner")
    inp = hocsau.Input((3,))
    model = hocsau.Model(inp, inner(inp))
    seen = []

    def clone_function(layer):
        seen.append(layer.name)
        return type(layer).from_config(layer.get_config())

    models.clone_model(model, clone_function=clone_function, recursive=True)
    assert seen == ["inner_dense"]


def test_subclassed_model_clone():
    class Net(hocsau.Model):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = layers.Dense(units)

        def call(self, x, training=None):
            return self.dense(x)

    net = Net(3)
    net(_x())
    clone = models.clone_model(net)
    assert type(clone) is Net and clone.units == 3
    with pytest.raises(ValueError, match="apply only to Sequential and functional models"):
        models.clone_model(net, input_tensors=hocsau.Input((3,)))


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_clone_of_a_compiled_model_is_compiled_like_keras(kind):
    import keras

    def build(lib):
        if kind == "sequential":
            model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(2)])
        else:
            inp = lib.Input((3,))
            model = lib.Model(inp, lib.layers.Dense(2)(inp))
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
        return model

    ours, theirs = models.clone_model(build(hocsau)), keras.models.clone_model(build(keras))
    assert ours.compiled and theirs.compiled
    assert ours.get_compile_config()["loss"] == theirs.get_compile_config()["loss"] == "mse"
    assert ours.optimizer.get_config()["learning_rate"] == pytest.approx(
        theirs.optimizer.get_config()["learning_rate"])
    history = ours.fit(_x(), np.zeros((4, 2), "float32"), epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    assert not models.clone_model(hocsau.Sequential([hocsau.Input((3,)),
                                                     layers.Dense(2)])).compiled
