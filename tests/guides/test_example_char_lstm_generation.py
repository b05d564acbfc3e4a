"""keras.io example "Character-level text generation with LSTM" (keras-io
examples/generative/lstm_character_level_text_generation.py), adapted to a short generated
text instead of Nietzsche's: the example's overlapping sentences one-hot encoded into *boolean*
arrays, a Sequential LSTM / softmax model trained with RMSprop and categorical crossentropy one
epoch at a time, and the temperature `sample` loop feeding `model.predict` one character at a
time."""

import random

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

maxlen, step = 10, 3


def prepare():
    rng = random.Random(0)
    words = ["the", "will", "to", "power", "is", "truth", "and", "art", "of", "life"]
    text = " ".join(rng.choice(words) for _ in range(80))
    chars = sorted(list(set(text)))
    char_indices = {c: i for i, c in enumerate(chars)}
    indices_char = {i: c for i, c in enumerate(chars)}
    sentences, next_chars = [], []
    for i in range(0, len(text) - maxlen, step):
        sentences.append(text[i:i + maxlen])
        next_chars.append(text[i + maxlen])
    x = np.zeros((len(sentences), maxlen, len(chars)), dtype="bool")
    y = np.zeros((len(sentences), len(chars)), dtype="bool")
    for i, sentence in enumerate(sentences):
        for t, char in enumerate(sentence):
            x[i, t, char_indices[char]] = 1
        y[i, char_indices[next_chars[i]]] = 1
    return text, chars, char_indices, indices_char, x, y


def sample(preds, temperature=1.0):
    preds = np.asarray(preds).astype("float64")
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    probas = np.random.multinomial(1, preds, 1)
    return np.argmax(probas)


def program(keras, weights=None, **fit_options):
    layers = keras.layers
    text, chars, char_indices, indices_char, x, y = prepare()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(maxlen, len(chars))), layers.LSTM(16),
                              layers.Dense(len(chars), activation="softmax")])
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    optimizer = keras.optimizers.RMSprop(learning_rate=0.01)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer)
    before = model.predict(x[:4], verbose=0)
    losses, generated_texts = [], []
    for _ in range(3):
        history = model.fit(x, y, batch_size=32, epochs=1, verbose=0, **fit_options)
        losses.append(history.history["loss"][0])
        start_index = random.Random(1).randint(0, len(text) - maxlen - 1)
        for diversity in [0.2, 1.0]:
            generated = ""
            sentence = text[start_index:start_index + maxlen]
            for _ in range(12):
                x_pred = np.zeros((1, maxlen, len(chars)))
                for t, char in enumerate(sentence):
                    x_pred[0, t, char_indices[char]] = 1.0
                preds = model.predict(x_pred, verbose=0)[0]
                next_index = sample(preds, diversity)
                next_char = indices_char[next_index]
                sentence = sentence[1:] + next_char
                generated += next_char
            generated_texts.append(generated)
    return {"initial": initial, "before": before, "losses": losses,
            "generated": generated_texts, "chars": chars, "x_dtype": x.dtype}


def check(result):
    assert result["x_dtype"] == np.bool_
    np.testing.assert_allclose(result["before"].sum(axis=1), 1.0, rtol=1e-5)
    assert result["losses"][-1] < result["losses"][0]
    assert len(result["generated"]) == 6
    assert all(len(t) == 12 and set(t) <= set(result["chars"]) for t in result["generated"])


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_on_boolean_arrays_as_keras(real_keras):
    theirs = program(real_keras, shuffle=False)
    ours = program(hocsau, weights=theirs["initial"], shuffle=False)
    for key in ("before", "losses"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)
