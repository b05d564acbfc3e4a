"""keras.io example "Trainer pattern" (keras-io examples/keras_recipes/trainer_pattern.py),
adapted to 16 random features, 64 rows (one batch of 64, so shuffling changes nothing) and
written with the torch train step of the custom-fit guide: a `MyTrainer` model holding the
wrapped functional model in `self.model`, its own loss function and metric (listed in the
`metrics` property), a `train_step` and a `test_step`, and a `call` delegating to the wrapped
model; two trainers around two models, compiled with SGD and Adam and fit with
validation_data."""

import numpy as np
import torch
from guide_helpers import assert_nested_close

import hocsau

FEATURES = 16


def define(keras):
    class MyTrainer(keras.Model):
        def __init__(self, model):
            super().__init__()
            self.model = model
            self.loss_fn = keras.losses.SparseCategoricalCrossentropy()
            self.accuracy_metric = keras.metrics.SparseCategoricalAccuracy()

        @property
        def metrics(self):
            return [self.accuracy_metric]

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self.model(x, training=True)
            loss = self.loss_fn(y, y_pred)
            loss.backward()
            trainable_vars = self.trainable_variables
            gradients = [v.value.grad for v in trainable_vars]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_vars)
            for metric in self.metrics:
                metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

        def test_step(self, data):
            x, y = data
            y_pred = self.model(x, training=False)
            for metric in self.metrics:
                metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

        def call(self, x):
            x = self.model(x)
            return x

    return MyTrainer


def get_model(keras):
    inputs = keras.Input(shape=(FEATURES,))
    x = keras.layers.Dense(32, activation="relu")(inputs)
    x = keras.layers.Dense(32, activation="relu")(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def data(seed):
    rng = np.random.default_rng(seed)
    x = rng.random((64, FEATURES)).astype("float32")
    return x, np.argmax(x[:, :10], axis=1)


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    MyTrainer = define(keras)
    x_train, y_train = data(0)
    x_test, y_test = data(1)
    model_a, model_b = get_model(keras), get_model(keras)
    if weights is not None:
        model_a.set_weights(weights[0])
        model_b.set_weights(weights[1])
    initial = [model_a.get_weights(), model_b.get_weights()]
    trainer_1 = MyTrainer(model_a)
    trainer_1.compile(optimizer=keras.optimizers.SGD())
    history_1 = trainer_1.fit(x_train, y_train, epochs=3, batch_size=64, verbose=0,
                              validation_data=(x_test, y_test))
    trainer_2 = MyTrainer(model_b)
    trainer_2.compile(optimizer=keras.optimizers.Adam())
    history_2 = trainer_2.fit(x_train, y_train, epochs=3, batch_size=64, verbose=0,
                              validation_data=(x_test, y_test))
    return {"initial": initial, "history_1": history_1.history,
            "history_2": history_2.history,
            "trained": [model_a.get_weights(), model_b.get_weights()],
            "predictions": trainer_2.predict(x_test[:8], verbose=0),
            "evaluation": trainer_1.evaluate(x_test, y_test, verbose=0, return_dict=True),
            "trainer_weights": len(trainer_1.trainable_weights)}


def check(result):
    for history in (result["history_1"], result["history_2"]):
        assert set(history) == {"sparse_categorical_accuracy",
                                "val_sparse_categorical_accuracy"}
    assert set(result["evaluation"]) == {"sparse_categorical_accuracy"}
    assert result["trainer_weights"] == 6
    for before, after in zip(result["initial"], result["trained"], strict=True):
        assert not np.allclose(before[0], after[0])
    np.testing.assert_allclose(result["predictions"].sum(axis=1), 1.0, rtol=1e-5)


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours, theirs, rtol=1e-5, atol=1e-6)
