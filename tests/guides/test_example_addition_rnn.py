"""keras.io example "Sequence to sequence learning for performing number addition" (keras-io
examples/nlp/addition_rnn.py), adapted to 2-digit numbers and a few hundred questions: the
example's CharacterTable one-hot encoding into *bool* arrays, reversed questions, an LSTM
encoder, RepeatVector, an LSTM decoder returning sequences and a Dense softmax over characters
per step (TimeDistributed in the original Keras 2 example; also checked equal), trained with
categorical cross-entropy and accuracy, then decoded answers."""

import numpy as np
from guide_helpers import assert_nested_close

import hocsau

DIGITS, REVERSE = 2, True
MAXLEN = DIGITS + 1 + DIGITS
CHARS = "0123456789+ "


class CharacterTable:
    """Encodes strings as one-hot bool arrays and decodes probabilities back."""

    def __init__(self, chars):
        self.chars = sorted(set(chars))
        self.char_indices = {c: i for i, c in enumerate(self.chars)}
        self.indices_char = dict(enumerate(self.chars))

    def encode(self, sentence, num_rows):
        x = np.zeros((num_rows, len(self.chars)))
        for i, c in enumerate(sentence):
            x[i, self.char_indices[c]] = 1
        return x

    def decode(self, x, calc_argmax=True):
        if calc_argmax:
            x = x.argmax(axis=-1)
        return "".join(self.indices_char[i] for i in x)


def data(training_size=320):
    ctable = CharacterTable(CHARS)
    rng = np.random.default_rng(0)
    questions, expected, seen = [], [], set()
    while len(questions) < training_size:
        a, b = (int(rng.integers(0, 10 ** DIGITS)) for _ in range(2))
        key = tuple(sorted((a, b)))
        if key in seen:
            continue
        seen.add(key)
        q = f"{a}+{b}"
        query = q + " " * (MAXLEN - len(q))
        questions.append(query[::-1] if REVERSE else query)
        ans = str(a + b)
        expected.append(ans + " " * (DIGITS + 1 - len(ans)))
    x = np.zeros((len(questions), MAXLEN, len(CHARS)), dtype=bool)
    y = np.zeros((len(questions), DIGITS + 1, len(CHARS)), dtype=bool)
    for i, sentence in enumerate(questions):
        x[i] = ctable.encode(sentence, MAXLEN)
    for i, sentence in enumerate(expected):
        y[i] = ctable.encode(sentence, DIGITS + 1)
    split_at = len(x) - len(x) // 10
    return ctable, (x[:split_at], y[:split_at]), (x[split_at:], y[split_at:])


def build(keras, time_distributed=False):
    layers = keras.layers
    model = keras.Sequential()
    model.add(layers.Input((MAXLEN, len(CHARS))))
    model.add(layers.LSTM(32))
    model.add(layers.RepeatVector(DIGITS + 1))
    model.add(layers.LSTM(32, return_sequences=True))
    head = layers.Dense(len(CHARS), activation="softmax")
    model.add(layers.TimeDistributed(head) if time_distributed else head)
    return model


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    ctable, (x_train, y_train), (x_val, y_val) = data()
    model = build(keras)
    if weights is not None:
        model.set_weights(weights)
    initial = model.get_weights()
    distributed = build(keras, time_distributed=True)
    distributed.set_weights(initial)
    same_outputs = np.allclose(model.predict(x_val, verbose=0),
                               distributed.predict(x_val, verbose=0), rtol=1e-6)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=3, shuffle=False,
                        validation_data=(x_val, y_val), verbose=0)
    predictions = model.predict(x_val[:5], verbose=0)
    return {"initial": initial, "history": history.history, "same_outputs": same_outputs,
            "output_shape": model.output_shape, "predictions": predictions,
            "guesses": [ctable.decode(p) for p in predictions],
            "questions": [ctable.decode(q) for q in x_val[:5]]}


def check(result):
    assert result["output_shape"] == (None, DIGITS + 1, len(CHARS))
    assert result["same_outputs"]
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    assert all(0.0 <= a <= 1.0 for a in history["accuracy"])
    assert all(len(g) == DIGITS + 1 and set(g) <= set(CHARS) for g in result["guesses"])
    assert all("+" in q for q in result["questions"])


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours["history"], theirs["history"], rtol=1e-4, atol=1e-6)
    assert ours["guesses"] == theirs["guesses"]
