"""`build` is called as Keras calls it: `build()` when it takes no shape, `build(shape)` with
the first input's shape (a dict of shapes for a dict of inputs), `build(a_shape, b_shape)` by
call-argument names; the build config of a dict input round-trips."""

import numpy as np

import hocsau
from hocsau import layers


class NoShape(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(2)

    def build(self):
        self.calls = "build()"
        self.built = True

    def call(self, inputs):
        return self.dense(inputs["a"] + inputs["b"])


class DictShape(layers.Layer):
    def build(self, input_shape):
        self.seen = input_shape
        self.scale = self.add_weight(shape=(input_shape["a"][-1],), initializer="ones")

    def call(self, inputs):
        return inputs["a"] * self.scale + inputs["b"]


def _dict_inputs():
    return {"a": hocsau.Input((3,), name="a"), "b": hocsau.Input((3,), name="b")}


def test_build_without_a_shape_argument_on_dict_inputs():
    layer = NoShape()
    output = layer(_dict_inputs())
    assert layer.calls == "build()" and tuple(output.shape) == (None, 2)
    assert len(layer.weights) == 2


def test_single_shape_argument_gets_the_dict_of_shapes_and_round_trips():
    layer = DictShape()
    inputs = _dict_inputs()
    model = hocsau.Model(inputs, layer(inputs))
    assert layer.seen == {"a": (None, 3), "b": (None, 3)}
    config = layer.get_build_config()
    assert config == {"input_shape": {"a": [None, 3], "b": [None, 3]}}
    fresh = DictShape()
    fresh.build_from_config(config)
    assert fresh.seen == {"a": (None, 3), "b": (None, 3)} and fresh.built
    x = {"a": np.ones((2, 3), "float32"), "b": np.full((2, 3), 2.0, "float32")}
    np.testing.assert_allclose(model.predict(x, verbose=0), np.full((2, 3), 3.0))
