"""SimpleRNN, GRU and LSTM against Keras 3: every flag, masked and unmasked, fused and loop."""

import numpy as np
import pytest
import torch

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
    assert ours._fusable()


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
    assert not ours._fusable()


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


def test_masked_lstm_keeps_states_exactly_over_padding():
    """The fused path freezes the cell state on padded steps (a fully masked row keeps its
    initial states bit for bit)."""
    lstm = layers.LSTM(3, return_state=True)
    h0, c0 = torch.randn(2, 3), torch.randn(2, 3)
    x = torch.randn(2, 4, 5)
    mask = torch.tensor([[False] * 4, [True, True, False, False]])
    _, h, c = lstm(x, initial_state=[h0, c0], mask=mask)
    assert torch.equal(h[0], h0[0]) and torch.equal(c[0], c0[0]) and lstm._fusable()
    _, h_short, c_short = lstm(x[1:, :2], initial_state=[h0[1:], c0[1:]])
    torch.testing.assert_close(c[1:], c_short, rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(h[1:], h_short, rtol=1e-6, atol=1e-7)


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


@pytest.mark.parametrize("make", [
    lambda L: L.LSTM(4), lambda L: L.GRU(3, return_sequences=True),
    lambda L: L.Bidirectional(L.SimpleRNN(2)), lambda L: L.TimeDistributed(L.Dense(2)),
])
def test_mask_given_as_a_numpy_array_matches_keras(make):
    """`layer(x, mask=array)`: Keras takes numpy masks; they failed on `.to` / `.dim`."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    theirs, ours = make(keras.layers), make(layers)
    expected = keras.ops.convert_to_numpy(theirs(x, mask=mask))
    ours(x)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x, mask=mask).detach().numpy(), expected, rtol=1e-5,
                               atol=1e-6)
