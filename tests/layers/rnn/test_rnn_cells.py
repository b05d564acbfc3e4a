"""RNN(cell) with the built-in cells, StackedRNNCells and user-written cells; run_layer_test."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("flags", [{}, {"return_sequences": True, "go_backwards": True},
                                   {"return_state": True}])
@pytest.mark.parametrize("cell", ["SimpleRNNCell", "GRUCell", "LSTMCell"])
def test_rnn_of_cell_matches_keras(cell, flags, rnn_parity, sequences, masks):
    theirs = keras.layers.RNN(getattr(keras.layers, cell)(3), **flags)
    ours = layers.RNN(getattr(layers, cell)(3), **flags)
    rnn_parity(theirs, ours, sequences)
    rnn_parity(theirs, ours, sequences, mask=masks["left"])


def test_stacked_cells_match_keras(rnn_parity, sequences, masks):
    theirs = keras.layers.RNN([keras.layers.LSTMCell(3), keras.layers.GRUCell(2)],
                              return_sequences=True)
    ours = layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_sequences=True)
    rnn_parity(theirs, ours, sequences)
    rnn_parity(theirs, ours, sequences, mask=masks["holes"])
    assert [tuple(w.shape) for w in ours.weights] == [(4, 12), (3, 12), (12,), (3, 6), (2, 6),
                                                      (2, 6)]


def test_stacked_cells_return_each_cells_states(sequences):
    rnn = layers.RNN(layers.StackedRNNCells([layers.SimpleRNNCell(3), layers.LSTMCell(2)]),
                     return_state=True)
    output, first, second = rnn(torch.as_tensor(sequences))
    assert output.shape == (3, 2) and first.shape == (3, 3)
    assert [tuple(s.shape) for s in second] == [(3, 2), (3, 2)]
    symbolic = rnn(hocsau.Input(shape=(6, 4)))
    assert symbolic[1].shape == (None, 3)
    assert [s.shape for s in symbolic[2]] == [(None, 2), (None, 2)]


class MinimalCell(layers.Layer):
    """The user cell of Keras's RNN guide: `h = x W + tanh(h_prev U)`."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        output = inputs @ self.kernel + torch.tanh(states[0] @ self.recurrent_kernel)
        return output, [output]


def test_user_cell_runs_keras_step_semantics(sequences, masks):
    x = torch.as_tensor(sequences)
    mask = torch.as_tensor(masks["right"])
    rnn = layers.RNN(MinimalCell(3), return_sequences=True)
    out = rnn(x, mask=mask)
    kernel, recurrent = (w.detach().numpy() for w in rnn.weights)
    h = np.zeros((3, 3), "float32")
    for t in range(6):
        new = sequences[:, t] @ kernel + np.tanh(h @ recurrent)
        h = np.where(masks["right"][:, t:t + 1], new, h)
        np.testing.assert_allclose(out[:, t].detach().numpy(), h, rtol=1e-5, atol=1e-6)


def test_user_cell_in_a_functional_model_trains():
    inputs = hocsau.Input(shape=(5, 2))
    outputs = layers.Dense(1)(layers.RNN(MinimalCell(4))(inputs))
    model = hocsau.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    assert model.count_params() == 2 * 4 + 4 * 4 + 5
    history = model.fit(np.ones((8, 5, 2)), np.zeros((8, 1)), epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]


@pytest.mark.parametrize("cell,weights", [("SimpleRNNCell", 3), ("GRUCell", 3),
                                          ("LSTMCell", 3)])
def test_cell_steps_match_keras(cell, weights):
    x = np.random.default_rng(2).normal(size=(2, 4)).astype("float32")
    h = np.random.default_rng(3).normal(size=(2, 3)).astype("float32")
    states = [h, h] if cell == "LSTMCell" else [h]
    theirs, ours = getattr(keras.layers, cell)(3), getattr(layers, cell)(3)
    expected = theirs(x, states)
    ours.build((2, 4))
    ours.set_weights(theirs.get_weights())
    output, new_states = ours(torch.as_tensor(x), [torch.as_tensor(s) for s in states])
    np.testing.assert_allclose(output.detach().numpy(), keras.ops.convert_to_numpy(expected[0]),
                               rtol=1e-5, atol=1e-6)
    assert len(new_states) == len(states) and len(ours.weights) == weights
    assert set(ours.get_config()) == set(theirs.get_config())


@pytest.mark.parametrize("name,kwargs,output_shape", [
    ("SimpleRNN", {"units": 3}, (2, 3)),
    ("GRU", {"units": 3, "return_sequences": True}, (2, 5, 3)),
    ("GRU", {"units": 3, "reset_after": False, "recurrent_dropout": 0.2}, (2, 3)),
    ("LSTM", {"units": 3, "dropout": 0.2, "kernel_regularizer": "l2"}, (2, 3)),
    ("LSTM", {"units": 3, "return_state": True}, [(2, 3), (2, 3), (2, 3)]),
])
def test_run_layer_test(name, kwargs, output_shape):
    run_layer_test(getattr(layers, name), kwargs, input_shape=(2, 5, 4),
                   expected_output_shape=output_shape, expected_num_trainable_weights=3,
                   expected_num_non_trainable_weights=0, supports_masking=True,
                   run_training_check=True)


def test_run_layer_test_rnn_of_stacked_cells():
    run_layer_test(layers.RNN, {"cell": [layers.GRUCell(2), layers.LSTMCell(3)]},
                   input_shape=(2, 5, 4), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=6, run_training_check=True)


@pytest.mark.parametrize("kwargs,message", [
    ({"units": 0}, "expected a positive integer. Received: units=0"),
    ({"units": "3"}, "Received: units='3'"),
])
@pytest.mark.parametrize("name", ["SimpleRNN", "GRU", "LSTM", "LSTMCell"])
def test_bad_units(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        getattr(layers, name)(**kwargs)


def test_rnn_rejects_cells_without_state_size():
    with pytest.raises(ValueError, match="Received: state_size=None"):
        layers.RNN(layers.Dense(3))
    with pytest.raises(ValueError, match="All cells must have a `state_size`"):
        layers.StackedRNNCells([layers.Dense(3)])


def test_unroll_needs_a_known_number_of_steps():
    assert layers.GRU(2, unroll=True)(hocsau.Input(shape=(5, 3))).shape == (None, 2)
    with pytest.raises(ValueError, match=r"Cannot unroll a RNN .* Received: sequences_shape="
                                         r"\(None, None, 3\)"):
        layers.GRU(2, unroll=True)(hocsau.Input(shape=(None, 3)))


def test_lstm_rejects_two_dimensional_inputs():
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        layers.LSTM(2)(hocsau.Input(shape=(5,)))
