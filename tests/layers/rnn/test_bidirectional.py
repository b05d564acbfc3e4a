"""Bidirectional against Keras 3: merge modes, backward_layer, return_state, masks, config."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

keras = pytest.importorskip("keras")


def _pair(name="LSTM", merge_mode="concat", **kwargs):
    theirs = keras.layers.Bidirectional(getattr(keras.layers, name)(3, **kwargs),
                                        merge_mode=merge_mode)
    ours = layers.Bidirectional(getattr(layers, name)(3, **kwargs), merge_mode=merge_mode)
    return theirs, ours


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_merge_modes_match_keras(merge_mode, return_sequences, rnn_parity, sequences, masks):
    theirs, ours = _pair("LSTM", merge_mode, return_sequences=return_sequences)
    rnn_parity(theirs, ours, sequences)
    rnn_parity(theirs, ours, sequences, mask=masks["right"])


@pytest.mark.parametrize("merge_mode", ["concat", None])
@pytest.mark.parametrize("name", ["SimpleRNN", "GRU", "LSTM"])
def test_return_state_matches_keras(name, merge_mode, rnn_parity, sequences, masks):
    theirs, ours = _pair(name, merge_mode, return_state=True, return_sequences=True)
    outputs = rnn_parity(theirs, ours, sequences)
    states = 2 if name == "LSTM" else 1
    assert len(outputs) == (2 if merge_mode is None else 1) + 2 * states
    rnn_parity(theirs, ours, sequences, mask=masks["left"])


def test_initial_state_split_between_directions(rnn_parity, sequences):
    states = [np.full((3, 3), v, "float32") for v in (0.1, -0.2, 0.3, 0.4)]
    theirs, ours = _pair("LSTM", return_sequences=True)
    rnn_parity(theirs, ours, sequences, initial_state=states)


def test_backward_layer_matches_keras(rnn_parity, sequences):
    theirs = keras.layers.Bidirectional(
        keras.layers.LSTM(3, return_sequences=True),
        backward_layer=keras.layers.GRU(2, go_backwards=True, return_sequences=True))
    ours = layers.Bidirectional(
        layers.LSTM(3, return_sequences=True),
        backward_layer=layers.GRU(2, go_backwards=True, return_sequences=True))
    (out,) = rnn_parity(theirs, ours, sequences)
    assert out.shape == (3, 6, 5)


def test_layer_names_weights_and_symbolic_shape():
    bi = layers.Bidirectional(layers.LSTM(4, name="enc"), merge_mode="concat")
    out = bi(hocsau.Input(shape=(7, 3)))
    assert out.shape == (None, 8)
    assert (bi.forward_layer.name, bi.backward_layer.name) == ("forward_enc", "backward_enc")
    assert bi.backward_layer.go_backwards and bi.count_params() == 2 * 4 * (3 + 4 + 1) * 4
    none_mode = layers.Bidirectional(layers.GRU(2, return_sequences=True), merge_mode=None)
    assert [t.shape for t in none_mode(hocsau.Input(shape=(7, 3)))] == [(None, 7, 2)] * 2


def test_run_layer_test():
    run_layer_test(layers.Bidirectional, {"layer": layers.LSTM(3), "merge_mode": "sum"},
                   input_shape=(2, 5, 4), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=6, supports_masking=True,
                   run_training_check=True)


def test_stateful_bidirectional_resets_both_directions():
    bi = layers.Bidirectional(layers.SimpleRNN(2, stateful=True))
    x = torch.randn(2, 3, 4)
    first = bi(x)
    assert len(bi.states) == 2
    bi.reset_states()
    torch.testing.assert_close(bi(x), first)


@pytest.mark.parametrize("kwargs,message", [
    ({"merge_mode": "max"}, "Invalid merge mode. Received: max"),
    ({"backward_layer": "gru"}, "need to be a `keras.layers.Layer` instance. Received: gru"),
    ({"backward_layer": layers.LSTM(3)}, "should have different `go_backwards` value"),
    ({"backward_layer": layers.LSTM(3, go_backwards=True, return_sequences=True)},
     'same value for attribute "return_sequences"'),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Bidirectional(layers.LSTM(3), **kwargs)


def test_rejects_non_layers():
    with pytest.raises(ValueError, match="Received: 3"):
        layers.Bidirectional(3)
