"""The seed models of the benchmarks, written once against the Keras 3 API, and their data.

Each builder takes the Keras namespace to build with (`hocsau`, or `keras` on TensorFlow or on
torch), so that every runner trains the same network from the same code. The data are synthetic,
from numpy alone with fixed seeds, so that every runner sees the same arrays.
"""

from __future__ import annotations

import numpy as np

VOCAB, EMBED, MAX_LEN, UNITS, DENSE = 1000, 100, 150, 64, 64


def _compiled(keras, model, loss: str):
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss, metrics=["accuracy"])
    return model


def mlp(keras):
    """The 784-128-10 MLP of the Keras MNIST tutorials: softmax and sparse crossentropy."""
    layers = keras.layers
    model = keras.Sequential([keras.Input((784,)), layers.Dense(128, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    return _compiled(keras, model, "sparse_categorical_crossentropy")


def lenet(keras):
    """Seed 000's LeNet on 32x32x1 images (no BatchNormalization)."""
    layers = keras.layers
    inp = keras.Input((32, 32, 1))
    x = layers.Conv2D(4, 5, activation="relu")(inp)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(16, 5, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(64, 5, activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(32, activation="relu")(x)
    out = layers.Dense(10, activation="softmax")(x)
    return _compiled(keras, keras.Model(inp, out), "sparse_categorical_crossentropy")


def lstm_spam(keras, mask_zero: bool = False):
    """Seed 000's `RNN_Dense` spam classifier with its default sizes."""
    layers = keras.layers
    inputs = keras.Input(shape=[MAX_LEN])
    x = layers.Embedding(VOCAB, EMBED, mask_zero=mask_zero)(inputs)
    x = layers.LSTM(UNITS)(x)
    x = layers.Dropout(0.5)(layers.Activation("relu")(layers.Dense(DENSE)(x)))
    outputs = layers.Activation("sigmoid")(layers.Dense(1)(x))
    return _compiled(keras, keras.Model(inputs, outputs), "binary_crossentropy")


def resnet50(keras):
    """`applications.ResNet50` with random weights, 224x224x3 in, 1000 classes."""
    return _compiled(keras, keras.applications.ResNet50(weights=None),
                     "sparse_categorical_crossentropy")


def images(rows: int, shape: tuple[int, ...], classes: int = 10, seed: int = 0):
    """`rows` float32 samples in [0, 1) of `shape` and integer labels below `classes`."""
    rng = np.random.default_rng(seed)
    return rng.random((rows, *shape), dtype=np.float32), rng.integers(0, classes, size=rows)


def padded_ids(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Messages of 10..MAX_LEN token ids, padded with zeros in front as `pad_sequences` does."""
    ids = np.zeros((rows, MAX_LEN), dtype=np.int32)
    for row in ids:
        length = int(rng.integers(10, MAX_LEN + 1))
        row[MAX_LEN - length:] = rng.integers(1, VOCAB, size=length)
    return ids


def messages(rows: int, seed: int = 0):
    """Padded token ids and float32 0/1 labels for the spam model."""
    rng = np.random.default_rng(seed)
    ids = padded_ids(rng, rows)
    return ids, rng.integers(0, 2, size=rows).astype("float32")
