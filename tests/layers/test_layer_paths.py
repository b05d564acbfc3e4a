"""Variable and layer paths carry the name scopes the weights were built in, as Keras 3's:
a subclassed model's or a Sequential's name, a wrapper's and an RNN's inner layers."""

import keras as reference
import numpy as np
import pytest

import hocsau


def _subclassed(lib):
    class Net(lib.Model):
        def __init__(self):
            super().__init__(name="net")
            self.dense = lib.layers.Dense(2, name="head")
            self.rnn = lib.layers.LSTM(3, name="rnn")

        def call(self, x):
            return self.dense(self.rnn(x))

    model = Net()
    model(np.zeros((1, 4, 2), "float32"))
    return model


def _sequential(lib):
    return lib.Sequential([lib.Input((4, 2)), lib.layers.GRU(3, name="gru"),
                           lib.layers.Dense(1, name="out")], name="seq")


def _functional_with_wrappers(lib):
    class Block(lib.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = lib.layers.Dense(2, name="inner")

        def call(self, x):
            return self.inner(x)

    inputs = lib.Input((4, 2))
    x = lib.layers.Bidirectional(lib.layers.SimpleRNN(2, name="rnn"), name="bi")(inputs)
    return lib.Model(inputs, Block(name="block")(x))


@pytest.mark.parametrize("make", [_subclassed, _sequential, _functional_with_wrappers])
def test_variable_paths_equal_keras(make):
    ours, theirs = make(hocsau), make(reference)
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
    assert [layer.path for layer in ours.layers] == [layer.path for layer in theirs.layers]


def test_optimizer_slots_are_named_after_scoped_paths():
    names = []
    for lib in (hocsau, reference):
        model = _sequential(lib)
        model.compile(optimizer=lib.optimizers.Adam(name="adam"), loss="mse")
        model.fit(np.zeros((4, 4, 2), "float32"), np.zeros((4, 1), "float32"), verbose=0)
        names.append([v.path for v in model.optimizer.variables])
    assert names[0] == names[1]
    assert "adam/seq_gru_gru_cell_kernel_momentum" in names[0]


def test_a_layer_has_no_path_before_it_is_built():
    layer = hocsau.layers.Dense(2, name="d")
    assert layer.path is None
    layer.build((None, 3))
    assert layer.path == "d" and layer.kernel.path == "d/kernel"


def _self_building(lib):
    class Net(lib.Model):
        def __init__(self):
            super().__init__(name="net")
            self.dense = lib.layers.Dense(2, name="d")

        def build(self, input_shape):
            self.dense.build(input_shape)

        def call(self, x):
            return self.dense(x)

    return Net()


def test_a_model_whose_build_builds_its_layers_is_built_once():
    paths = []
    for lib in (hocsau, reference):
        model = _self_building(lib)
        model.build((None, 3))
        assert model.built
        model(np.zeros((1, 3), "float32"))
        paths.append([w.path for w in model.weights])
    assert paths[0] == paths[1] == ["net/d/kernel", "net/d/bias"]
