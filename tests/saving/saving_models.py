"""Small models built the same way in hocsau and Keras 3 for the saving tests."""

import keras
import numpy as np

import hocsau
from hocsau import layers


@hocsau.saving.register_keras_serializable(package="SavingTest")
class Scale(hocsau.layers.Layer):
    """A user layer with a weight and a constructor argument."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.alpha = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="alpha")

    def call(self, x):
        return x * self.alpha * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@hocsau.saving.register_keras_serializable(package="SavingTest")
class TwoStep(hocsau.Model):
    """A subclassed model with an attribute layer and a list of layers."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.first = layers.Dense(4, activation="tanh")
        self.blocks = [layers.Dense(units), Scale(0.5)]

    def call(self, x, training=None):
        x = self.first(x)
        for block in self.blocks:
            x = block(x)
        return x

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _keras_twins():
    """The user classes again, written for Keras under the same class and registered names."""

    @keras.saving.register_keras_serializable(package="SavingTest", name="Scale")
    class Scale(keras.layers.Layer):
        """`Scale` in Keras: same class name, so files name it the same."""

        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.alpha = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                         name="alpha")

        def call(self, x):
            return x * self.alpha * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    @keras.saving.register_keras_serializable(package="SavingTest", name="TwoStep")
    class TwoStep(keras.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.first = keras.layers.Dense(4, activation="tanh")
            self.blocks = [keras.layers.Dense(units), Scale(0.5)]

        def call(self, x, training=None):
            x = self.first(x)
            for block in self.blocks:
                x = block(x)
            return x

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return Scale, TwoStep


KerasScale, KerasTwoStep = _keras_twins()


def build_models(lib):
    """{kind: model} for lib in (hocsau, keras): Sequential, functional, subclassed."""
    L = lib.layers
    scale = Scale if lib is hocsau else KerasScale
    two_step = TwoStep if lib is hocsau else KerasTwoStep
    seq = lib.Sequential([lib.Input((3,)), L.Dense(4, activation="relu"), L.Dropout(0.2),
                          scale(1.5), L.Dense(2)])
    inp = lib.Input((3,), name="x")
    shared = L.Dense(2, name="shared")
    a = shared(L.Dense(2, name="left")(inp))
    b = shared(L.Dense(2, name="right")(inp))
    inner = lib.Sequential([lib.Input((2,)), L.Dense(2, name="inner_dense")], name="inner")
    func = lib.Model(inp, [a, inner(b)], name="func")
    sub = two_step(3)
    sub(np.zeros((2, 3), "float32"))
    return {"sequential": seq, "functional": func, "subclassed": sub}


def make_data():
    rng = np.random.default_rng(1)
    return rng.random((5, 3), dtype=np.float32), rng.random((5, 2), dtype=np.float32)


def predictions(model, x):
    out = model.predict(x, verbose=0)
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else [np.asarray(out)]
