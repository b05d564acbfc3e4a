"""Layer families through `.keras` files, both ways with Keras 3: the weights layout is
generic over sublayers (RNN cells, Bidirectional's two layers) and every layer's variables."""

import keras
import numpy as np
import pytest

import hocsau


def _recurrent(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((5,), dtype="int32"), L.Embedding(10, 4, mask_zero=True),
                           L.Bidirectional(L.GRU(3, return_sequences=True)), L.LSTM(2),
                           L.Dense(1)])


def _reshaping_and_pooling(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((6, 2)), L.Permute((2, 1)), L.Reshape((3, 4)),
                           L.MaxPooling1D(2, padding="same"), L.Flatten(), L.PReLU(),
                           L.RepeatVector(2), L.GlobalAveragePooling1D(), L.Dense(3)])


BUILDERS = {"recurrent": _recurrent, "reshaping_and_pooling": _reshaping_and_pooling}


def _inputs(kind):
    rng = np.random.default_rng(0)
    if kind == "recurrent":
        return rng.integers(0, 10, (3, 5)).astype("int32")
    return rng.normal(size=(3, 6, 2)).astype("float32")


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_family_through_keras_files(tmp_path, kind):
    x = _inputs(kind)
    ours = BUILDERS[kind](hocsau)
    ours.save(tmp_path / "h.keras")
    again = hocsau.saving.load_model(tmp_path / "h.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), ours.predict(x, verbose=0))
    theirs = keras.saving.load_model(tmp_path / "h.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), ours.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-7)
    native = BUILDERS[kind](keras)
    native.save(tmp_path / "k.keras")
    loaded = hocsau.saving.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), native.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-7)
