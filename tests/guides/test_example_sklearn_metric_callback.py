"""keras.io example "Evaluating and exporting scikit-learn metrics in a Keras callback"
(keras-io examples/keras_recipes/sklearn_metric_callbacks.py), adapted to 12x12 random images,
4 classes and two epochs; the callback's TensorBoard writer (tf.summary, no TensorFlow here)
becomes a list of (step, value): a callback without `super().__init__()` that calls
`self.model.predict` at each epoch end, scores the predictions with sklearn's `jaccard_score`,
averages the per-class values with a `keras.metrics.Mean` and reads `result().numpy()`."""

import numpy as np
import pytest
from guide_helpers import assert_nested_close

import hocsau

sklearn_metrics = pytest.importorskip("sklearn.metrics")
NUM_CLASSES = 4
INPUT_SHAPE = (12, 12, 1)


def define(keras):
    class JaccardScoreCallback(keras.callbacks.Callback):
        """Computes the Jaccard score and logs the results."""

        def __init__(self, name, x_test, y_test, log):
            self.x_test = x_test
            self.y_test = y_test
            self.keras_metric = keras.metrics.Mean("jaccard_score")
            self.epoch = 0
            self.name, self.log = name, log

        def on_epoch_end(self, batch, logs=None):
            self.epoch += 1
            self.keras_metric.reset_state()
            predictions = self.model.predict(self.x_test, verbose=0)
            jaccard_value = sklearn_metrics.jaccard_score(
                np.argmax(predictions, axis=-1), self.y_test, average=None,
                labels=list(range(NUM_CLASSES)), zero_division=0.0)
            self.keras_metric.update_state(jaccard_value)
            self._write_metric(
                self.keras_metric.name, self.keras_metric.result().numpy().astype(float))

        def _write_metric(self, name, value):
            self.log.append((self.name, name, self.epoch, value))

    return JaccardScoreCallback


def data(keras, seed):
    rng = np.random.default_rng(seed)
    x = rng.random((40, *INPUT_SHAPE)).astype("float32")
    y = (x[:, :6].mean(axis=(1, 2, 3)) * 40).astype(int) % NUM_CLASSES
    return x, y


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    JaccardScoreCallback = define(keras)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ]
    )
    if weights is not None:
        model.set_weights(weights)
    initial = model.get_weights()
    x_train, y_train = data(keras, 0)
    x_test, y_test = data(keras, 1)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    log = []
    callbacks = [JaccardScoreCallback(model.name, x_test, y_test, log)]
    history = model.fit(x_train, keras.utils.to_categorical(y_train, NUM_CLASSES),
                        batch_size=40, epochs=2, validation_split=0.25, callbacks=callbacks,
                        verbose=0)
    return {"initial": initial, "history": history.history, "log": log}


def check(result):
    log = result["log"]
    assert [(entry[1], entry[2]) for entry in log] == [("jaccard_score", 1),
                                                       ("jaccard_score", 2)]
    assert all(np.asarray(entry[3]).dtype == np.float64 and 0.0 <= entry[3] <= 1.0
               for entry in log)
    assert set(result["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_scores_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours["history"], theirs["history"], rtol=1e-5, atol=1e-6)
    assert [entry[1:] for entry in ours["log"]] == [entry[1:] for entry in theirs["log"]]
