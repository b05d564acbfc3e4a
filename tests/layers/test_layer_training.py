"""The `training` value a layer's `call` receives, against Keras 3: an explicit argument, else
the call context's value (which the last layer resolved in the outermost call keeps, as
Keras's does), else the default of `training` in `call`; functional and Sequential models
record non-None defaults in their nodes; fit / evaluate / predict pass True / False / False."""

import numpy as np
import pytest
import torch

import hocsau

IMAGES = np.ones((2, 4, 4, 1), "float32") * np.arange(4, dtype="float32").reshape(1, 1, 4, 1)
NOISY = np.random.default_rng(0).uniform(0, 5, (4, 4, 4, 1)).astype("float32")


def _recorder(lib, seen):
    """A layer noting the `training` its eager calls receive (traces are skipped)."""

    class Recorder(lib.layers.Layer):
        def call(self, x, training=None):
            if x.device.type != "meta":
                seen.append(training)
            return x

    return Recorder()


def _numpy(lib, value):
    return np.asarray(lib.ops.convert_to_numpy(value))


def _direct_calls(lib):
    """Layers and models called directly, outside fit."""
    layers, out = lib.layers, {}
    flip = layers.RandomFlip("horizontal", seed=1)
    out["flip"] = [_numpy(lib, flip(IMAGES)) for _ in range(2)]  # default training=True
    model = lib.Sequential([lib.Input((4, 4, 1)), layers.RandomFlip("horizontal", seed=1),
                            layers.Dropout(0.5, seed=3)])  # Dropout keeps its training=False
    out["flip_dropout"] = [_numpy(lib, model(IMAGES)), model.predict(IMAGES, verbose=0)]
    model = lib.Sequential([lib.Input((4, 4, 1)), layers.RandomFlip("horizontal", seed=1),
                            layers.BatchNormalization()])  # BN inherits the flip's True
    out["flip_batchnorm"] = [_numpy(lib, model(NOISY)),
                             _numpy(lib, model.layers[1].moving_mean)]
    out["dropout"] = [_numpy(lib, layers.Dropout(0.5, seed=1)(IMAGES))]
    return out


def test_direct_calls_take_keras_training_values():
    keras = pytest.importorskip("keras")
    theirs, ours = _direct_calls(keras), _direct_calls(hocsau)
    assert not np.array_equal(ours["flip"][0], IMAGES)  # augmented, as keras.io shows
    for key, values in theirs.items():
        for our, their in zip(ours[key], values, strict=True):
            np.testing.assert_allclose(our, their, rtol=1e-5, atol=1e-6, err_msg=key)


def _seen_by_recorder(lib):
    """The training values a recorder sees behind an augmentation layer in each setting."""
    layers, runs = lib.layers, {}

    def record(name, build, call):
        seen = []
        model = build(_recorder(lib, seen))
        call(model)
        runs[name] = seen

    flip = lambda: layers.RandomFlip("horizontal", seed=1)  # noqa: E731
    sequential = lambda rec: lib.Sequential([lib.Input((4, 4, 1)), flip(), rec])  # noqa: E731

    def functional(rec):
        inputs = lib.Input((4, 4, 1))
        return lib.Model(inputs, rec(flip()(inputs)))

    def fit(model):
        model.compile(optimizer="sgd", loss="mse")
        model.fit(IMAGES, IMAGES, epochs=1, verbose=0)
        model.evaluate(IMAGES, IMAGES, verbose=0)
        model.predict(IMAGES, verbose=0)

    record("sequential", sequential, lambda m: m(IMAGES))
    record("functional", functional, lambda m: m(IMAGES))
    record("functional_false", functional, lambda m: m(IMAGES, training=False))
    record("explicit_none", lambda rec: rec, lambda m: m(IMAGES, training=None))
    record("fit_evaluate_predict", lambda rec: lib.Sequential(
        [lib.Input((4, 4, 1)), flip(), rec, layers.Dense(1)]), fit)
    return runs


def test_training_reaching_a_layer_behind_an_augmentation_matches_keras():
    keras = pytest.importorskip("keras")
    theirs, ours = _seen_by_recorder(keras), _seen_by_recorder(hocsau)
    assert ours == theirs
    assert ours["sequential"] == [True] and ours["functional_false"] == [False]
    assert ours["fit_evaluate_predict"] == [True, False, False]


def _subclassed(lib):
    """Sublayers called inside a layer's `call` without a training argument."""
    layers, runs = lib.layers, {}

    class AfterFlip(layers.Layer):  # the flip resolves True and the context keeps it
        def __init__(self, seen):
            super().__init__()
            self.flip, self.rec = layers.RandomFlip("horizontal"), _recorder(lib, seen)

        def call(self, x):
            return self.rec(self.flip(x))

    class DefaultTrue(layers.Layer):  # its own default starts the context at True
        def __init__(self, seen):
            super().__init__()
            self.rec = _recorder(lib, seen)

        def call(self, x, training=True):
            return self.rec(x)

    for cls in (AfterFlip, DefaultTrue):
        seen = []
        layer = cls(seen)
        layer(IMAGES)
        layer(IMAGES)
        runs[cls.__name__] = seen[-1]
    return runs


def test_sublayers_inherit_the_call_context_like_keras():
    keras = pytest.importorskip("keras")
    assert _subclassed(hocsau) == _subclassed(keras) == {"AfterFlip": True,
                                                         "DefaultTrue": True}


def test_torch_train_mode_opts_in_below_explicit_and_context_values():
    x = torch.ones(200, 50)
    dropout = hocsau.layers.Dropout(0.9)
    assert torch.equal(dropout(x), x)  # Keras's default, training=False
    dropout.train()
    assert (dropout(x) == 0).float().mean().item() > 0.8
    assert torch.equal(dropout(x, training=False), x)
    model = hocsau.Sequential([hocsau.Input((50,)), hocsau.layers.Dropout(0.9)])
    model.train()
    assert (model(x) == 0).float().mean().item() > 0.8
    assert torch.equal(model(x, training=False), x)
    model.eval()
    assert torch.equal(model(x), x)
