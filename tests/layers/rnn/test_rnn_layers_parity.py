"""SimpleRNN, GRU and LSTM against Keras 3: every flag, masked and unmasked, fused and loop."""

import numpy as np
import pytest

from hocsau import layers

keras = pytest.importorskip("keras")

NAMES = ["SimpleRNN", "GRU", "LSTM"]
FLAGS = [
    {},
    {"return_sequences": True},
    {"go_backwards": True},
    {"go_backwards": True, "return_sequences": True},
    {"return_state": True},
    {"return_state": True, "return_sequences": True, "go_backwards": True},
    {"use_bias": False, "return_sequences": True},
    {"unroll": True},
    {"zero_output_for_mask": True, "return_sequences": True},
]


def _pair(name, **kwargs):
    return getattr(keras.layers, name)(3, **kwargs), getattr(layers, name)(3, **kwargs)


@pytest.mark.parametrize("flags", FLAGS)
@pytest.mark.parametrize("name", NAMES)
def test_fused_path_matches_keras(name, flags, rnn_parity, sequences):
    theirs, ours = _pair(name, **flags)
    rnn_parity(theirs, ours, sequences)
    assert ours._fusable(None, False)


@pytest.mark.parametrize("kind", ["right", "left", "holes"])
@pytest.mark.parametrize("flags", [f for f in FLAGS if f not in ({"unroll": True},
                                                                  {"go_backwards": True})])
@pytest.mark.parametrize("name", NAMES)
def test_masked_matches_keras(name, flags, kind, rnn_parity, sequences, masks):
    theirs, ours = _pair(name, **flags)
    rnn_parity(theirs, ours, sequences, mask=masks[kind])


@pytest.mark.parametrize("flags", [{"return_sequences": True}, {"return_state": True,
                                                                 "go_backwards": True}])
@pytest.mark.parametrize("variant", [
    ("SimpleRNN", {"activation": "relu"}),
    ("GRU", {"reset_after": False}),
    ("GRU", {"reset_after": False, "use_bias": False}),
    ("GRU", {"recurrent_activation": "hard_sigmoid"}),
    ("LSTM", {"activation": "relu"}),
])
def test_loop_path_matches_keras(variant, flags, rnn_parity, sequences, masks):
    name, kwargs = variant
    theirs, ours = _pair(name, **kwargs, **flags)
    rnn_parity(theirs, ours, sequences)
    rnn_parity(theirs, ours, sequences, mask=masks["holes"])
    assert not ours._fusable(None, False)


@pytest.mark.parametrize("name", NAMES)
def test_initial_state_matches_keras(name, rnn_parity, sequences, masks):
    rng = np.random.default_rng(1)
    states = [rng.normal(size=(3, 3)).astype("float32") for _ in range(2 if name == "LSTM"
                                                                       else 1)]
    theirs, ours = _pair(name, return_state=True, return_sequences=True)
    rnn_parity(theirs, ours, sequences, initial_state=states)
    rnn_parity(theirs, ours, sequences, initial_state=states, mask=masks["left"])


def test_lstm_without_unit_forget_bias_matches_keras(rnn_parity, sequences):
    theirs, ours = _pair("LSTM", unit_forget_bias=False, bias_initializer="ones")
    rnn_parity(theirs, ours, sequences)
    assert ours.cell.bias.detach().numpy().tolist() == [1.0] * 12


def test_masked_lstm_returning_states_runs_the_loop(masks):
    ours = layers.LSTM(3, return_state=True)
    assert ours._fusable(None, False) and not ours._fusable(masks["left"], False)
    assert layers.GRU(3, return_state=True)._fusable(masks["left"], False)


def test_unit_forget_bias_initializes_forget_gate_to_one(sequences):
    lstm = layers.LSTM(2)
    lstm(sequences)
    np.testing.assert_array_equal(lstm.cell.bias.detach().numpy(), [0, 0, 1, 1, 0, 0, 0, 0])


@pytest.mark.parametrize("name,shapes", [
    ("SimpleRNN", [(4, 3), (3, 3), (3,)]),
    ("GRU", [(4, 9), (3, 9), (2, 9)]),
    ("LSTM", [(4, 12), (3, 12), (12,)]),
])
def test_weights_have_keras_names_and_shapes(name, shapes, sequences):
    layer = getattr(layers, name)(3)
    layer(sequences)
    assert [tuple(w.shape) for w in layer.weights] == shapes
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert layer.units == 3 and layer.cell.name.endswith("_cell")


def test_gru_reset_before_has_flat_bias(sequences):
    gru = layers.GRU(3, reset_after=False)
    gru(sequences)
    assert tuple(gru.cell.bias.shape) == (9,)
