"""keras.io example "Bidirectional LSTM on IMDB" (keras-io
examples/nlp/bidirectional_lstm_imdb.py), adapted to generated reviews (lists of word ids of
varying lengths, as `imdb.load_data` returns them) padded with `keras.utils.pad_sequences`:
an Embedding, two stacked Bidirectional LSTMs (the first with `return_sequences=True`) and a
sigmoid output trained with binary crossentropy and validation data."""

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

max_features, maxlen = 50, 12


def load_data(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = [list(rng.integers(2, max_features // 2, rng.integers(4, 20)) + 25 * label)
         for label in y]
    return x, y


def program(keras, weights=None, **fit_options):
    layers = keras.layers
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(max_features, 8)(inputs)
    x = layers.Bidirectional(layers.LSTM(6, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(6))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    (x_train, y_train), (x_val, y_val) = load_data(64, 0), load_data(16, 1)
    x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
    x_val = keras.utils.pad_sequences(x_val, maxlen=maxlen)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=3,
                        validation_data=(x_val, y_val), verbose=0, **fit_options)
    return {"initial": initial, "history": history.history, "padded": x_train[:3],
            "predictions": model.predict(x_val, verbose=0), "params": model.count_params(),
            "output_shapes": [layer.output.shape for layer in model.layers]}


def check(result):
    assert result["padded"].shape == (3, maxlen) and result["padded"].dtype == np.int32
    assert result["output_shapes"] == [(None, None), (None, None, 8), (None, None, 12),
                                       (None, 12), (None, 1)]
    lstm = lambda units, dim: 4 * units * (dim + units + 1)  # noqa: E731
    assert result["params"] == max_features * 8 + 2 * lstm(6, 8) + 2 * lstm(6, 12) + 13
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]


def test_pad_sequences_pre_pads_and_truncates():
    padded = hocsau.utils.pad_sequences([[1, 2, 3], list(range(1, 16))], maxlen=maxlen)
    np.testing.assert_array_equal(padded[0], [0] * 9 + [1, 2, 3])
    np.testing.assert_array_equal(padded[1], np.arange(4, 16))


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    theirs = program(real_keras, shuffle=False)
    ours = program(hocsau, weights=theirs["initial"], shuffle=False)
    for key in ("history", "predictions", "padded"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)
