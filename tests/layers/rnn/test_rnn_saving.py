"""Recurrent models exchanged with Keras 3 through .keras and .weights.h5 files."""

import numpy as np
import pytest

import hocsau

keras = pytest.importorskip("keras")

IDS = np.array([[0, 0, 3, 4, 5, 6], [1, 2, 3, 0, 0, 0]], dtype="int32")


def _model(lib):
    inputs = lib.Input(shape=(6,), dtype="int32")
    x = lib.layers.Embedding(20, 4, mask_zero=True)(inputs)
    x = lib.layers.Bidirectional(lib.layers.LSTM(3, return_sequences=True))(x)
    x = lib.layers.GRU(2, reset_after=False, return_sequences=True)(x)
    x = lib.layers.RNN([lib.layers.SimpleRNNCell(2), lib.layers.LSTMCell(2)])(x)
    return lib.Model(inputs, x)


def _assert_same(theirs, ours):
    np.testing.assert_allclose(ours(IDS).detach().numpy(), keras.ops.convert_to_numpy(theirs(IDS)),
                               rtol=1e-5, atol=1e-6)


def test_keras_loads_our_keras_file(tmp_path):
    ours = _model(hocsau)
    ours.save(tmp_path / "ours.keras")
    _assert_same(keras.saving.load_model(tmp_path / "ours.keras"), ours)


def test_we_load_a_keras_file(tmp_path):
    theirs = _model(keras)
    theirs.save(tmp_path / "theirs.keras")
    _assert_same(theirs, hocsau.saving.load_model(tmp_path / "theirs.keras"))


def test_weights_file_round_trip_through_keras(tmp_path):
    ours, theirs = _model(hocsau), _model(keras)
    ours.save_weights(tmp_path / "ours.weights.h5")
    theirs.load_weights(tmp_path / "ours.weights.h5")
    _assert_same(theirs, ours)
