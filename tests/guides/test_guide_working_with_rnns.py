"""keras.io guide "Working with RNNs" (keras-io guides/working_with_rnns.py), adapted:
LSTM/GRU/SimpleRNN stacks with `return_sequences`, an encoder-decoder passing the encoder's
`return_state` states as the decoder's `initial_state`, a stateful LSTM over sub-sequences
(and `reset_states`), reusing `layer.states`, Bidirectional, and `RNN` over a custom cell."""

import numpy as np
from guide_helpers import as_numpy, assert_nested_close, layer_weights, set_layer_weights

import hocsau


def define_cell(keras):
    ops = keras.ops

    class MinimalRNNCell(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                          initializer="uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    initializer="uniform",
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            prev_output = states[0]
            output = ops.matmul(inputs, self.kernel) + ops.matmul(prev_output,
                                                                  self.recurrent_kernel)
            return output, [output]

    return MinimalRNNCell


def models(keras):
    layers = keras.layers
    stack = keras.Sequential([keras.Input(shape=(None,), dtype="int32"),
                              layers.Embedding(input_dim=100, output_dim=8),
                              layers.GRU(16, return_sequences=True),
                              layers.SimpleRNN(12), layers.Dense(10)], name="stack")
    encoder_input = keras.Input(shape=(None,), name="encoder_input")
    encoder_embedded = layers.Embedding(100, 8, name="encoder_embedding")(encoder_input)
    output, state_h, state_c = layers.LSTM(6, return_state=True, name="encoder")(
        encoder_embedded)
    decoder_input = keras.Input(shape=(None,), name="decoder_input")
    decoder_embedded = layers.Embedding(80, 8, name="decoder_embedding")(decoder_input)
    decoder_output = layers.LSTM(6, name="decoder")(decoder_embedded,
                                                    initial_state=[state_h, state_c])
    seq2seq = keras.Model([encoder_input, decoder_input],
                          [layers.Dense(10, name="head")(decoder_output), output, state_h])
    bidirectional = keras.Sequential([
        keras.Input(shape=(5, 10)),
        layers.Bidirectional(layers.LSTM(8, return_sequences=True), name="bi_1"),
        layers.Bidirectional(layers.LSTM(4), name="bi_2"), layers.Dense(10, name="out")])
    inputs = keras.Input((None, 5))
    custom = keras.Model(inputs, layers.RNN(define_cell(keras)(3), name="rnn")(inputs))
    return {"stack": stack, "seq2seq": seq2seq, "bidirectional": bidirectional,
            "custom": custom}


def stateful_facts(keras):
    """Sub-sequences through a stateful LSTM equal the whole sequence at once."""
    rng = np.random.default_rng(2)
    paragraph = rng.random((2, 9, 4)).astype("float32")
    whole = keras.layers.LSTM(5)
    expected = whole(paragraph)
    stateful = keras.layers.LSTM(5, stateful=True)
    stateful(paragraph[:, :3])
    stateful.set_weights(whole.get_weights())
    stateful.reset_states()
    for start in (0, 3, 6):
        output = stateful(paragraph[:, start:start + 3])
    existing_state = [as_numpy(s) for s in stateful.states]
    stateful.reset_states()
    after_reset = [as_numpy(s) for s in stateful.states]
    fresh = keras.layers.LSTM(5)
    fresh(paragraph[:, :3])
    fresh.set_weights(whole.get_weights())
    continued = fresh(paragraph[:, 6:], initial_state=[keras.ops.convert_to_tensor(s)
                                                       for s in existing_state])
    return {"whole": expected, "stateful": output, "state": existing_state,
            "after_reset": after_reset, "continued_shape": tuple(continued.shape)}


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    built = models(keras)
    if weights is not None:
        for name, model in built.items():
            set_layer_weights(model, weights[name])
    rng = np.random.default_rng(0)
    tokens, targets = rng.integers(1, 80, (4, 7)), rng.integers(1, 80, (4, 6))
    sequences, cell_inputs = rng.random((4, 5, 10)).astype("float32"), rng.random((2, 4, 5))
    cell_inputs = cell_inputs.astype("float32")
    head, encoder_output, encoder_state_h = built["seq2seq"]([tokens, targets])
    rnn = built["custom"].get_layer("rnn")
    kernel, recurrent = (as_numpy(w) for w in rnn.cell.weights)
    state = np.zeros((2, 3), "float32")
    for t in range(4):
        state = cell_inputs[:, t] @ kernel + state @ recurrent
    return {"weights": {name: layer_weights(m) for name, m in built.items()},
            "stack": built["stack"](tokens), "stack_shape": built["stack"].output_shape,
            "head": head, "encoder_output": encoder_output, "state_h": encoder_state_h,
            "bidirectional": built["bidirectional"](sequences),
            "bidirectional_shapes": [layer.output.shape
                                     for layer in built["bidirectional"].layers[:2]],
            "custom": built["custom"](cell_inputs), "custom_manual": state,
            "cell_weights": len(rnn.cell.weights), **stateful_facts(keras)}


def check(result):
    assert result["stack_shape"] == (None, 10) and tuple(result["stack"].shape) == (4, 10)
    assert tuple(result["head"].shape) == (4, 10)
    np.testing.assert_array_equal(as_numpy(result["encoder_output"]),
                                  as_numpy(result["state_h"]))
    assert [tuple(s) for s in result["bidirectional_shapes"]] == [(None, 5, 16), (None, 8)]
    assert tuple(result["bidirectional"].shape) == (4, 10)
    assert result["cell_weights"] == 2
    np.testing.assert_allclose(as_numpy(result["custom"]), result["custom_manual"], rtol=1e-5)
    np.testing.assert_allclose(as_numpy(result["stateful"]), as_numpy(result["whole"]),
                               rtol=1e-5, atol=1e-6)
    assert [s.shape for s in result["state"]] == [(2, 5), (2, 5)]
    assert all(not s.any() for s in result["after_reset"])
    assert result["continued_shape"] == (2, 5)


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_outputs_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["weights"])
    for key in ("stack", "head", "encoder_output", "bidirectional", "custom"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-5, atol=1e-6, path=key)
