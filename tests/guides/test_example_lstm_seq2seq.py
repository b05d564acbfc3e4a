"""keras.io example "Character-level recurrent sequence-to-sequence model" (keras-io
examples/nlp/lstm_seq2seq.py), adapted to generated word pairs instead of the downloaded
English-French file: one-hot character arrays built by the example's loops, an encoder LSTM with
`return_state=True` whose states start the decoder LSTM (`initial_state=`), training with
`validation_split`, `model.save` / `keras.models.load_model`, and the sampling models rebuilt
from the reloaded model's layers (`model.input[0]`, `model.layers[2].output`, a decoder model
taking the state inputs) driving the example's `decode_sequence` loop."""

import os
import random

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

WORDS = {"go": "va", "run": "cours", "hi": "salut", "wait": "attends", "stop": "arrete",
         "help": "aide", "jump": "saute"}
batch_size, epochs, latent_dim, num_samples = 8, 3, 16, 40


def corpus():
    rng = random.Random(0)
    pairs = []
    for _ in range(num_samples):
        words = [rng.choice(list(WORDS)) for _ in range(rng.randint(1, 2))]
        pairs.append((" ".join(words) + ".", " ".join(WORDS[w] for w in words) + " !"))
    return pairs


def vectorize():
    """The example's data preparation, reading pairs instead of lines of fra.txt."""
    input_texts, target_texts = [], []
    input_characters, target_characters = set(), set()
    for input_text, target_text in corpus():
        target_text = "\t" + target_text + "\n"
        input_texts.append(input_text)
        target_texts.append(target_text)
        input_characters.update(input_text)
        target_characters.update(target_text)
    input_characters = sorted(input_characters)
    target_characters = sorted(target_characters)
    num_encoder_tokens, num_decoder_tokens = len(input_characters), len(target_characters)
    max_encoder_seq_length = max([len(txt) for txt in input_texts])
    max_decoder_seq_length = max([len(txt) for txt in target_texts])
    input_token_index = {char: i for i, char in enumerate(input_characters)}
    target_token_index = {char: i for i, char in enumerate(target_characters)}
    encoder_input_data = np.zeros(
        (len(input_texts), max_encoder_seq_length, num_encoder_tokens), dtype="float32")
    decoder_input_data = np.zeros(
        (len(input_texts), max_decoder_seq_length, num_decoder_tokens), dtype="float32")
    decoder_target_data = np.zeros(
        (len(input_texts), max_decoder_seq_length, num_decoder_tokens), dtype="float32")
    for i, (input_text, target_text) in enumerate(zip(input_texts, target_texts, strict=True)):
        for t, char in enumerate(input_text):
            encoder_input_data[i, t, input_token_index[char]] = 1.0
        encoder_input_data[i, t + 1:, input_token_index[" "]] = 1.0
        for t, char in enumerate(target_text):
            decoder_input_data[i, t, target_token_index[char]] = 1.0
            if t > 0:
                decoder_target_data[i, t - 1, target_token_index[char]] = 1.0
        decoder_input_data[i, t + 1:, target_token_index[" "]] = 1.0
        decoder_target_data[i, t:, target_token_index[" "]] = 1.0
    return {"encoder_input_data": encoder_input_data, "decoder_input_data": decoder_input_data,
            "decoder_target_data": decoder_target_data,
            "target_token_index": target_token_index,
            "max_decoder_seq_length": max_decoder_seq_length}


def build(keras, num_encoder_tokens, num_decoder_tokens):
    encoder_inputs = keras.Input(shape=(None, num_encoder_tokens))
    encoder = keras.layers.LSTM(latent_dim, return_state=True)
    encoder_outputs, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None, num_decoder_tokens))
    decoder_lstm = keras.layers.LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = keras.layers.Dense(num_decoder_tokens, activation="softmax")
    decoder_outputs = decoder_dense(decoder_outputs)
    return keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)


def sampling_models(keras, model):
    encoder_inputs = model.input[0]  # input_1
    encoder_outputs, state_h_enc, state_c_enc = model.layers[2].output  # lstm_1
    encoder_states = [state_h_enc, state_c_enc]
    encoder_model = keras.Model(encoder_inputs, encoder_states)
    decoder_inputs = model.input[1]  # input_2
    decoder_state_input_h = keras.Input(shape=(latent_dim,))
    decoder_state_input_c = keras.Input(shape=(latent_dim,))
    decoder_states_inputs = [decoder_state_input_h, decoder_state_input_c]
    decoder_lstm = model.layers[3]
    decoder_outputs, state_h_dec, state_c_dec = decoder_lstm(
        decoder_inputs, initial_state=decoder_states_inputs)
    decoder_states = [state_h_dec, state_c_dec]
    decoder_dense = model.layers[4]
    decoder_outputs = decoder_dense(decoder_outputs)
    decoder_model = keras.Model(
        [decoder_inputs] + decoder_states_inputs, [decoder_outputs] + decoder_states)
    return encoder_model, decoder_model


def decode_sequence(input_seq, encoder_model, decoder_model, data):
    target_token_index = data["target_token_index"]
    num_decoder_tokens = len(target_token_index)
    reverse_target_char_index = {i: char for char, i in target_token_index.items()}
    states_value = encoder_model.predict(input_seq, verbose=0)
    target_seq = np.zeros((1, 1, num_decoder_tokens))
    target_seq[0, 0, target_token_index["\t"]] = 1.0
    stop_condition = False
    decoded_sentence = ""
    while not stop_condition:
        output_tokens, h, c = decoder_model.predict([target_seq] + states_value, verbose=0)
        sampled_token_index = np.argmax(output_tokens[0, -1, :])
        sampled_char = reverse_target_char_index[sampled_token_index]
        decoded_sentence += sampled_char
        if sampled_char == "\n" or len(decoded_sentence) > data["max_decoder_seq_length"]:
            stop_condition = True
        target_seq = np.zeros((1, 1, num_decoder_tokens))
        target_seq[0, 0, sampled_token_index] = 1.0
        states_value = [h, c]
    return decoded_sentence


def program(keras, directory, weights=None, **fit_options):
    """`fit_options`: shuffle=False for the parity run (the two libraries shuffle differently)."""
    data = vectorize()
    encoder_input_data = data["encoder_input_data"]
    decoder_input_data = data["decoder_input_data"]
    keras.utils.set_random_seed(0)
    model = build(keras, encoder_input_data.shape[-1], decoder_input_data.shape[-1])
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit([encoder_input_data, decoder_input_data], data["decoder_target_data"],
                        batch_size=batch_size, epochs=epochs, validation_split=0.2, verbose=0,
                        **fit_options)
    path = os.path.join(directory, "s2s_model.keras")
    model.save(path)
    trained = model.predict([encoder_input_data[:4], decoder_input_data[:4]], verbose=0)
    model = keras.models.load_model(path)
    encoder_model, decoder_model = sampling_models(keras, model)
    states = encoder_model.predict(encoder_input_data[:4], verbose=0)
    step = decoder_model.predict([decoder_input_data[:4, :1]] + states, verbose=0)
    decoded = [decode_sequence(encoder_input_data[i:i + 1], encoder_model, decoder_model, data)
               for i in range(3)]
    return {"initial": initial, "history": history.history, "trained": trained,
            "reloaded": model.predict([encoder_input_data[:4], decoder_input_data[:4]],
                                      verbose=0),
            "states": states, "step": step, "decoded": decoded,
            "layer_types": [type(layer).__name__ for layer in model.layers],
            "max_decoder_seq_length": data["max_decoder_seq_length"]}


def check(result):
    assert result["layer_types"] == ["InputLayer", "InputLayer", "LSTM", "LSTM", "Dense"]
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    np.testing.assert_allclose(result["reloaded"], result["trained"], rtol=1e-6, atol=1e-7)
    assert [s.shape for s in result["states"]] == [(4, latent_dim), (4, latent_dim)]
    output_tokens, h, c = result["step"]
    assert output_tokens.shape == (4, 1, result["trained"].shape[-1])
    # The decoder's first step from the encoder's states is the trained model's first step.
    np.testing.assert_allclose(output_tokens[:, 0], result["trained"][:, 0], rtol=1e-5,
                               atol=1e-6)
    assert h.shape == c.shape == (4, latent_dim)
    for sentence in result["decoded"]:
        assert 0 < len(sentence) <= result["max_decoder_seq_length"] + 1


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, str(tmp_path)))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, str(tmp_path)))


def test_same_weights_same_training_and_decoding_as_keras(real_keras, tmp_path):
    (tmp_path / "keras").mkdir()
    (tmp_path / "hocsau").mkdir()
    theirs = program(real_keras, str(tmp_path / "keras"), shuffle=False)
    ours = program(hocsau, str(tmp_path / "hocsau"), weights=theirs["initial"], shuffle=False)
    for key in ("history", "trained", "states", "step"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)
    assert ours["decoded"] == theirs["decoded"]
