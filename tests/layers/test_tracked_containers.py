"""Sublayers held in plain list/dict/tuple attributes, however they got there, are tracked as
Keras tracks them: their weights count, train, follow `trainable` and survive saving."""

import numpy as np
import pytest

import hocsau
from hocsau import layers

keras = pytest.importorskip("keras")


def define(library):
    dense = library.layers.Dense

    class Holder(library.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.by_name = dict()
            self.by_name["a"] = dense(2)
            self.by_name["b"] = dense(3)
            self.later = list()
            self.later.append(dense(2))
            self.pair = (dense(2), {"inner": [dense(2)]})
            self.plain = dense(2)

        def call(self, x):
            parts = [self.by_name["a"](x), self.by_name["b"](x), self.later[0](x),
                     self.pair[0](x), self.pair[1]["inner"][0](x), self.plain(x)]
            return library.ops.concatenate(parts, axis=-1)

    return Holder


def test_weights_in_containers_match_keras_order_and_values():
    x = np.linspace(-1, 1, 12, dtype="float32").reshape(3, 4)
    theirs = define(keras)()
    expected = keras.ops.convert_to_numpy(theirs(x))
    ours = define(hocsau)()
    ours(x)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert len(ours.trainable_weights) == 12
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x).detach().numpy(), expected, rtol=1e-6)
    ours.trainable = False
    assert ours.trainable_weights == [] and len(ours.non_trainable_weights) == 12


def test_container_layers_train_and_round_trip_a_keras_file(tmp_path):
    hocsau.utils.set_random_seed(0)
    inputs = hocsau.Input((4,))
    model = hocsau.Model(inputs, layers.Dense(1)(define(hocsau)()(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    holder = model.layers[1]
    before = holder.by_name["b"].kernel.detach().numpy().copy()
    x = np.linspace(0, 1, 32, dtype="float32").reshape(8, 4)
    model.fit(x, np.ones((8, 1), "float32"), epochs=1, verbose=0)
    assert not np.allclose(holder.by_name["b"].kernel.detach().numpy(), before)
    path = str(tmp_path / "holder.keras")
    model.save(path)
    Holder = type(holder)
    restored = hocsau.models.load_model(path, custom_objects={"Holder": Holder})
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_reassigning_a_container_attribute_retracks_it():
    class Swap(layers.Layer):
        def __init__(self):
            super().__init__()
            self.stack = [layers.Dense(2)]
            self.stack = []
            self.stack.append(layers.Dense(5))
            self.table = {"x": layers.Dense(3)}
            self.table = "not a container"

        def call(self, x):
            return self.stack[0](x)

    swap = Swap()
    swap(np.ones((1, 4), "float32"))
    assert [tuple(w.shape) for w in swap.weights] == [(4, 5), (5,)]
    assert swap.table == "not a container"


def _nested_model(library):
    class Block(library.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.first = library.layers.Dense(2, name="first")
            self.inner = [library.layers.Dense(2, name="inner_a"),
                          library.layers.Dense(2, name="inner_b")]

        def call(self, x):
            return self.inner[1](self.inner[0](self.first(x)))

    inputs = library.Input((3,), name="x")
    hidden = Block(name="block")(inputs)
    return library.Model(inputs, library.layers.Dense(1, name="head")(hidden), name="model")


def test_flatten_layers_walks_as_keras():
    """`_flatten_layers` (used by keras.io's float8 recipe) visits the same layers in the same
    order as Keras, containers included; `include_self` and `recursive` as Keras."""
    ours, theirs = _nested_model(hocsau), _nested_model(keras)
    for kwargs in ({}, {"include_self": False}, {"recursive": False}):
        assert ([layer.name for layer in ours._flatten_layers(**kwargs)]
                == [layer.name for layer in theirs._flatten_layers(**kwargs)]), kwargs
    holder_ours, holder_theirs = define(hocsau)(), define(keras)()
    assert len(holder_ours._flatten_layers()) == len(holder_theirs._flatten_layers()) == 7


def test_subclassed_model_layers_include_container_layers():
    class Stack(hocsau.Model):
        def __init__(self):
            super().__init__()
            self.blocks = []
            for units in (3, 2):
                self.blocks.append(layers.Dense(units))

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    model = Stack()
    model(np.ones((1, 4), "float32"))
    assert [layer.units for layer in model.layers] == [3, 2]
    assert len(model.trainable_weights) == 4
