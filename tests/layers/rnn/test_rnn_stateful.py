"""Stateful recurrent layers: states carried across calls, reset_states, batch-size checks."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers


@pytest.mark.parametrize("name", ["SimpleRNN", "GRU", "LSTM"])
def test_two_calls_equal_one_call_on_the_joined_sequence(name):
    x = torch.randn(2, 6, 4)
    stateful = getattr(layers, name)(3, stateful=True, return_sequences=True)
    plain = getattr(layers, name)(3, return_sequences=True)
    stateful(x[:, :3])
    plain(x)
    plain.set_weights(stateful.get_weights())
    stateful.reset_states()
    joined = torch.cat([stateful(x[:, :3]), stateful(x[:, 3:])], dim=1)
    torch.testing.assert_close(joined, plain(x), rtol=1e-5, atol=1e-6)


def test_reset_states_zeroes_and_restarts():
    x = torch.randn(2, 4, 3)
    lstm = layers.LSTM(3, stateful=True)
    first = lstm(x)
    assert not torch.allclose(lstm(x), first)
    lstm.reset_states()
    assert all(float(s.abs().sum()) == 0 for s in lstm.states)
    torch.testing.assert_close(lstm(x), first)


def test_states_are_not_weights():
    lstm = layers.LSTM(3, stateful=True)
    lstm(torch.randn(2, 4, 3))
    assert len(lstm.weights) == 3 and len(lstm.states) == 2


def test_stateful_keras_parity_over_two_batches(sequences):
    keras = pytest.importorskip("keras")
    theirs = keras.layers.GRU(3, stateful=True)
    ours = layers.GRU(3, stateful=True)
    theirs(sequences)
    ours(sequences)
    ours.set_weights(theirs.get_weights())
    theirs.reset_states()
    ours.reset_states()
    for _ in range(2):
        expected = keras.ops.convert_to_numpy(theirs(sequences))
        np.testing.assert_allclose(ours(sequences).detach().numpy(), expected, rtol=1e-5,
                                   atol=1e-6)


def test_batch_size_change_is_an_error():
    lstm = layers.LSTM(3, stateful=True)
    lstm(torch.randn(2, 4, 3))
    with pytest.raises(ValueError, match="Expected batch size: 2\n- Received batch size: 3"):
        lstm(torch.randn(3, 4, 3))


def test_dynamic_batch_size_is_an_error():
    with pytest.raises(ValueError, match="the batch size must be static"):
        layers.LSTM(3, stateful=True)(hocsau.Input(shape=(4, 3)))


def test_stateful_model_in_fit_keeps_fixed_batches():
    model = hocsau.Sequential([hocsau.Input(batch_shape=(4, 5, 2)),
                               layers.LSTM(3, stateful=True), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x, y = np.random.default_rng(0).normal(size=(8, 5, 2)), np.zeros((8, 1))
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 2
    assert tuple(model.layers[0].states[0].shape) == (4, 3)
