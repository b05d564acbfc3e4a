"""keras.io guide "Getting started with KerasTuner" (keras-team/keras-io
guides/keras_tuner/getting_started.py) as a script, on tiny random data in place of MNIST and
fewer trials: a `build_model(hp)` with Int / Choice / Boolean / Float (log) hyperparameters
and a tuned number of layers, RandomSearch with executions per trial, best models and
hyperparameters, retraining on all data; a HyperModel whose `fit` tunes the batch size and a
preprocessing choice (an unadapted Normalization called on the data); a built-in metric, a
custom Metric and a returned number as objectives.

Usage: python keras_tuner_guide.py {hocsau|keras} WORK_DIR; prints one JSON line of results.
With "hocsau", hocsau is installed as `keras` before KerasTuner is imported."""

import json
import os
import sys
import warnings

import numpy as np

LIBRARY, WORK_DIR = sys.argv[1], sys.argv[2]
if LIBRARY == "hocsau":
    import hocsau

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the real Keras is installed too: shadowed on purpose
        hocsau.install_as_keras(force=True)
import keras  # noqa: E402
import keras_tuner  # noqa: E402
from keras import layers  # noqa: E402

os.chdir(WORK_DIR)
keras.utils.set_random_seed(0)


def build_model(hp):
    model = keras.Sequential()
    model.add(layers.Flatten())
    for i in range(hp.Int("num_layers", 1, 3)):
        model.add(layers.Dense(units=hp.Int(f"units_{i}", min_value=32, max_value=512, step=32),
                               activation=hp.Choice("activation", ["relu", "tanh"])))
    if hp.Boolean("dropout"):
        model.add(layers.Dropout(rate=0.25))
    model.add(layers.Dense(10, activation="softmax"))
    learning_rate = hp.Float("lr", min_value=1e-4, max_value=1e-2, sampling="log")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


class MyHyperModel(keras_tuner.HyperModel):
    def build(self, hp):
        model = keras.Sequential()
        model.add(layers.Dense(units=hp.Int("units", min_value=32, max_value=128, step=32),
                               activation="relu"))
        model.add(layers.Dense(10, activation="softmax"))
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        return model

    def fit(self, hp, model, x, y, **kwargs):
        if hp.Boolean("normalize"):
            x = layers.Normalization()(x)
        return model.fit(x, y, batch_size=hp.Choice("batch_size", [16, 32]), **kwargs)


class CustomMetric(keras.metrics.Metric):
    def __init__(self, **kwargs):
        super().__init__(name="custom_metric", **kwargs)
        self.sum = self.add_weight(name="sum", initializer="zeros")
        self.count = self.add_weight(name="count", dtype="int32", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = keras.ops.square(y_true - y_pred)
        count = keras.ops.shape(y_true)[0]
        if sample_weight is not None:
            sample_weight = keras.ops.cast(sample_weight, self.dtype)
            values *= sample_weight
            count *= sample_weight
        self.sum.assign_add(keras.ops.sum(values))
        self.count.assign_add(count)

    def result(self):
        return self.sum / keras.ops.cast(self.count, "float32")

    def reset_state(self):
        self.sum.assign(0)
        self.count.assign(0)


def build_regressor(hp):
    model = keras.Sequential([layers.Dense(units=hp.Int("units", 32, 128, 32), activation="relu"),
                              layers.Dense(units=1)])
    model.compile(optimizer="adam", loss="mean_squared_error",
                  metrics=["mean_absolute_error", CustomMetric()])
    return model


class HyperRegressor(keras_tuner.HyperModel):
    def build(self, hp):
        return build_regressor(hp)

    def fit(self, hp, model, x, y, validation_data, **kwargs):
        model.fit(x, y, **kwargs)
        x_val, y_val = validation_data
        y_pred = model.predict(x_val, verbose=0)
        return np.mean(np.abs(y_pred - y_val))


def classification_data():
    rng = np.random.default_rng(0)
    x = rng.random((60, 28, 28)).astype("float32")
    y = keras.utils.to_categorical(x[:, 14, :10].argmax(axis=1), 10)
    return (x[:40], y[:40]), (x[40:], y[40:])


def main():
    results = {}
    build_model(keras_tuner.HyperParameters())
    (x_train, y_train), (x_val, y_val) = classification_data()
    tuner = keras_tuner.RandomSearch(hypermodel=build_model, objective="val_accuracy",
                                     max_trials=2, executions_per_trial=2, overwrite=True,
                                     directory="my_dir", project_name="helloworld", seed=1)
    tuner.search(x_train, y_train, epochs=1, validation_data=(x_val, y_val), verbose=0)
    best_model = tuner.get_best_models(num_models=2)[0]
    best_hps = tuner.get_best_hyperparameters(5)
    model = build_model(best_hps[0])
    history = model.fit(x=np.concatenate((x_train, x_val)), y=np.concatenate((y_train, y_val)),
                        epochs=1, verbose=0)
    results["search"] = {"trials": len(tuner.oracle.trials),
                         "best_prediction": list(best_model.predict(x_val, verbose=0).shape),
                         "hps": sorted(best_hps[0].values),
                         "retrained": sorted(history.history)}
    hp = keras_tuner.HyperParameters()
    hypermodel = MyHyperModel()
    model = hypermodel.build(hp)
    fitted = hypermodel.fit(hp, model, np.random.rand(100, 28), np.random.rand(100, 10),
                            verbose=0)
    results["hypermodel"] = {"history": sorted(fitted.history), "hps": sorted(hp.values)}
    x, y = np.random.rand(100, 10), np.random.rand(100, 1)
    x_val, y_val = np.random.rand(20, 10), np.random.rand(20, 1)
    objectives = {"mae": "mean_absolute_error",
                  "custom": keras_tuner.Objective("val_custom_metric", direction="min")}
    for name, objective in objectives.items():
        tuner = keras_tuner.RandomSearch(hypermodel=build_regressor, objective=objective,
                                         max_trials=1, overwrite=True, directory="my_dir",
                                         project_name=f"objective_{name}", seed=1)
        tuner.search(x=x, y=y, validation_data=(x_val, y_val), verbose=0)
        trial = tuner.oracle.get_best_trials(1)[0]
        results[name] = {"trials": len(tuner.oracle.trials), "score": float(trial.score)}
    tuner = keras_tuner.RandomSearch(hypermodel=HyperRegressor(), max_trials=1, overwrite=True,
                                     directory="my_dir", project_name="returned_number", seed=1)
    tuner.search(x=x, y=y, validation_data=(x_val, y_val), verbose=0)
    results["returned"] = {"trials": len(tuner.oracle.trials),
                           "score": float(tuner.oracle.get_best_trials(1)[0].score)}
    print(json.dumps(results))


main()
