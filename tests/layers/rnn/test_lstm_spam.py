"""Seed 000's spam classifiers: the tutorial-sized parameter counts, and the LSTM + Dense model
learning a small synthetic spam corpus built with Tokenizer and pad_sequences."""

import numpy as np
import pytest

import hocsau
from hocsau import layers
from hocsau.preprocessing.text import Tokenizer
from hocsau.utils import pad_sequences

HAM = ("meet lunch home later call mum dinner tonight office bus train movie game week "
       "sorry okay thanks love see soon work class book friend party weekend").split()
SPAM = "free win prize cash claim urgent winner txt reply offer".split()


def rnn_dense(maxword=1000, embedding_size=100, max_len=150, n_unit_lstm=64, n_unit_dense=64,
              mask_zero=False):
    """Seed 000's `RNN_Dense` (optionally with the padding masked)."""
    inputs = hocsau.Input(name="inputs", shape=[max_len])
    layer = layers.Embedding(maxword, embedding_size, input_length=max_len,
                             mask_zero=mask_zero)(inputs)
    layer = layers.LSTM(n_unit_lstm)(layer)
    layer = layers.Dense(n_unit_dense, name="FC1")(layer)
    layer = layers.Activation("relu")(layer)
    layer = layers.Dropout(0.5)(layer)
    layer = layers.Dense(1, name="out_layer")(layer)
    layer = layers.Activation("sigmoid")(layer)
    return hocsau.Model(inputs=inputs, outputs=layer)


def test_tutorial_sized_lstm_dense_has_146465_parameters():
    model = rnn_dense()
    assert model.count_params() == 146_465
    assert [layer.count_params() for layer in model.layers[1:3]] == [100_000, 42_240]
    assert model.layers[2].output.shape == (None, 64)


def test_tutorial_sized_lstm_timedistributed_has_156001_parameters():
    if not hasattr(layers, "TimeDistributed"):
        pytest.skip("TimeDistributed is not in this checkout yet")
    inputs = hocsau.Input(name="inputs", shape=[150])
    x = layers.Embedding(1000, 100)(inputs)
    x = layers.LSTM(64, return_sequences=True)(x)
    x = layers.Flatten()(layers.TimeDistributed(layers.Dense(64))(x))
    x = layers.Dense(1)(layers.Dropout(0.5)(layers.Activation("relu")(x)))
    assert hocsau.Model(inputs, layers.Activation("sigmoid")(x)).count_params() == 156_001


def _corpus(n, rng):
    texts, labels = [], []
    for _ in range(n):
        words = list(rng.choice(HAM, size=int(rng.integers(4, 12))))
        spam = rng.random() < 0.35
        if spam:
            for word in rng.choice(SPAM, size=2, replace=False):
                words.insert(int(rng.integers(0, len(words) + 1)), word)
        texts.append(" ".join(words).capitalize() + "!")
        labels.append(int(spam))
    return texts, np.array(labels, dtype="float32")


@pytest.mark.parametrize("mask_zero", [False, True])
def test_lstm_dense_learns_synthetic_spam(mask_zero):
    hocsau.utils.set_random_seed(0)
    texts, labels = _corpus(600, np.random.default_rng(0))
    tokenizer = Tokenizer(num_words=100)
    tokenizer.fit_on_texts(texts)
    x = pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=16)
    model = rnn_dense(maxword=100, embedding_size=16, max_len=16, n_unit_lstm=16,
                      n_unit_dense=16, mask_zero=mask_zero)
    model.compile(loss="binary_crossentropy", optimizer=hocsau.optimizers.Adam(0.01),
                  metrics=["accuracy"])
    history = model.fit(x, labels, batch_size=32, epochs=6, validation_split=0.2, verbose=0)
    assert history.history["val_accuracy"][-1] >= 0.95
