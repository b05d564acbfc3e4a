"""keras.io example "Reproducibility in Keras Models" (keras-io
examples/keras_recipes/reproducibility_recipes.py), adapted to 12x12 random images and numpy
arrays instead of tf.data (no TensorFlow, so no `enable_op_determinism`): after
`keras.utils.set_random_seed(812)` the Python, NumPy and Keras random draws, the initial weights
of a Sequential model without an Input (built by `fit`), its Dropout masks and fit's shuffling
repeat exactly, so two trainings give the same history; another seed gives another."""

import random

import numpy as np
from guide_helpers import assert_nested_close

import hocsau


def sample_random_values(keras):
    return {"python": random.random(), "numpy": np.random.random(3),
            "keras": keras.random.uniform((3,)),
            "keras_normal": keras.random.normal((2,))}


def train_model(keras, train_data, test_data):
    layers = keras.layers
    model = keras.Sequential(
        [
            layers.Conv2D(4, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Dropout(0.2),
            layers.Conv2D(4, (3, 3), activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(8, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(*train_data, epochs=2, batch_size=16, validation_data=test_data,
                        verbose=0)
    return history.history


def data(seed):
    rng = np.random.default_rng(seed)
    x = rng.random((48, 12, 12, 1)).astype("float32")
    return x, (x.mean(axis=(1, 2, 3)) * 100).astype(int) % 10


def program(keras, seed=812):
    keras.utils.set_random_seed(seed)
    values = sample_random_values(keras)
    history = train_model(keras, data(0), data(1))
    return {"values": values, "history": history}


def check(keras):
    first, second, other = program(keras), program(keras), program(keras, seed=1)
    assert_nested_close(second, first, rtol=0, atol=0)
    assert set(first["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert other["values"]["python"] != first["values"]["python"]
    assert not np.allclose(np.asarray(other["values"]["keras"]),
                           np.asarray(first["values"]["keras"]))
    assert other["history"]["loss"] != first["history"]["loss"]


def test_program_on_keras(real_keras):
    check(real_keras)


def test_program_on_hocsau():
    check(hocsau)


def test_python_and_numpy_draws_match_keras(real_keras):
    """Both libraries seed Python's and NumPy's generators with the seed itself."""
    theirs = program(real_keras)["values"]
    ours = program(hocsau)["values"]
    assert ours["python"] == theirs["python"]
    np.testing.assert_array_equal(ours["numpy"], theirs["numpy"])
