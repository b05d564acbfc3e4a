"""keras.io guide "Customizing what happens in fit() with PyTorch" (keras-team/keras
guides/custom_train_step_in_torch.py), adapted: a `train_step` using `compute_loss`,
`loss.backward()`, `optimizer.apply` and the compiled metrics; a lower-level one with its own
`Mean`/`MeanAbsoluteError` trackers listed in the `metrics` property (compiled with an
optimizer only); sample weights unpacked from `(x, y, sample_weight)`; and a custom
`test_step` used by evaluate."""

import numpy as np
import torch
from guide_helpers import assert_nested_close

import hocsau


def define_models(keras):
    class CustomModel(keras.Model):
        def train_step(self, data):
            if len(data) == 3:
                x, y, sample_weight = data
            else:
                sample_weight = None
                x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred, sample_weight=sample_weight)
            return {m.name: m.result() for m in self.metrics}

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    class LowLevelModel(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = keras.losses.MeanSquaredError()

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.loss_fn(y, y_pred)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    return CustomModel, LowLevelModel


def build(keras, cls, weights):
    inputs = keras.Input(shape=(8,))
    model = cls(inputs, keras.layers.Dense(1)(inputs))
    if weights is not None:
        model.set_weights(weights)
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.random((64, 8)).astype("float32")
    y = (x @ np.linspace(-1.0, 1.0, 8)[:, None] + 0.5).astype("float32")
    return x, y, np.where(x[:, 0] > 0.5, 2.0, 0.5).astype("float32")


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    CustomModel, LowLevelModel = define_models(keras)
    x, y, sample_weight = data()
    model = build(keras, CustomModel, weights)
    initial = model.get_weights()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, shuffle=False)
    evaluation = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    weighted = build(keras, CustomModel, initial)
    weighted.compile(optimizer="adam", loss="mse", metrics=["mae"])
    weighted_history = weighted.fit(x, y, sample_weight=sample_weight, epochs=2, batch_size=16,
                                    verbose=0, shuffle=False)
    low = build(keras, LowLevelModel, initial)
    low.compile(optimizer="adam")
    low_history = low.fit(x, y, epochs=3, batch_size=16, verbose=0, shuffle=False)
    return {"initial": initial, "history": history.history, "evaluation": evaluation,
            "weighted": weighted_history.history, "low_level": low_history.history,
            "metric_names": [m.name for m in low.metrics]}


def check(result):
    assert set(result["history"]) == {"loss", "mae"}
    assert result["history"]["loss"][-1] < result["history"]["loss"][0]
    assert set(result["evaluation"]) == {"loss", "mae"}
    assert set(result["weighted"]) == {"loss", "mae"}
    assert result["metric_names"] == ["loss", "mae"]
    assert result["low_level"]["loss"][-1] < result["low_level"]["loss"][0]


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    for key in ("history", "evaluation", "weighted", "low_level"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-6, path=key)
