"""keras.io guide "Training & evaluation with the built-in methods" (keras-team/keras
guides/training_with_built_in_methods.py), adapted to tiny random data: compile/fit with
validation data and `validation_split`, evaluate and predict, a custom loss function and a
`Loss` subclass, a stateful `Metric` subclass, class weights equal to the matching sample
weights, EarlyStopping and ModelCheckpoint(save_best_only) callbacks, a learning-rate schedule,
and the guide's `LossHistory` callback recording Keras 2's `on_batch_end`."""

import os

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau


def get_compiled_model(keras, weights=None, loss=None, metrics=("sparse_categorical_accuracy",),
                       optimizer=None):
    layers = keras.layers
    inputs = keras.Input(shape=(12,), name="digits")
    x = layers.Dense(16, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(16, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(6, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    if weights is not None:
        set_layer_weights(model, weights)
    model.compile(optimizer=optimizer or keras.optimizers.RMSprop(learning_rate=1e-2),
                  loss=loss or keras.losses.SparseCategoricalCrossentropy(),
                  metrics=list(metrics))
    return model


def data(n=48):
    rng = np.random.default_rng(0)
    x = rng.random((n, 12)).astype("float32")
    y = (x[:, :6].argmax(axis=1)).astype("int64")
    return x, y


def define_custom_objects(keras):
    ops = keras.ops

    def custom_mean_squared_error(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    class CustomMSE(keras.losses.Loss):
        def __init__(self, regularization_factor=0.1, name="custom_mse"):
            super().__init__(name=name)
            self.regularization_factor = regularization_factor

        def call(self, y_true, y_pred):
            mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
            reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
            return mse + reg * self.regularization_factor

    class CategoricalTruePositives(keras.metrics.Metric):
        def __init__(self, name="categorical_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
            values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
            values = ops.cast(values, "float32")
            if sample_weight is not None:
                values = ops.multiply(values, ops.cast(sample_weight, "float32"))
            self.true_positives.assign_add(ops.sum(values))

        def result(self):
            return self.true_positives

        def reset_state(self):
            self.true_positives.assign(0.0)

    return custom_mean_squared_error, CustomMSE, CategoricalTruePositives


def fit_evaluate_predict(keras, weights):
    x, y = data()
    model = get_compiled_model(keras, weights)
    history = model.fit(x[:32], y[:32], batch_size=8, epochs=2, shuffle=False, verbose=0,
                        validation_data=(x[32:], y[32:]))
    split = get_compiled_model(keras, weights).fit(x, y, batch_size=8, epochs=1, verbose=0,
                                                    shuffle=False, validation_split=0.25)
    return {"history": history.history, "split_history": split.history,
            "evaluate": model.evaluate(x[32:], y[32:], batch_size=8, verbose=0),
            "evaluate_dict": model.evaluate(x[32:], y[32:], verbose=0, return_dict=True),
            "predict": model.predict(x[:4], verbose=0)}


def custom_losses_and_metrics(keras, weights):
    x, y = data()
    y_one_hot = keras.ops.convert_to_numpy(keras.ops.one_hot(y, 6))
    custom_mse, CustomMSE, CategoricalTruePositives = define_custom_objects(keras)
    results = {}
    for name, loss in (("function", custom_mse), ("subclass", CustomMSE())):
        model = get_compiled_model(keras, weights, loss=loss, metrics=())
        results[name] = model.fit(x, y_one_hot, batch_size=16, epochs=2, shuffle=False,
                                  verbose=0).history
    model = get_compiled_model(keras, weights, metrics=[CategoricalTruePositives()])
    results["metric"] = model.fit(x, y, batch_size=16, epochs=2, shuffle=False,
                                  verbose=0).history
    return results


def class_and_sample_weights(keras, weights):
    x, y = data()
    class_weight = {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0, 5: 2.0}
    sample_weight = np.where(y == 5, 2.0, 1.0).astype("float32")
    by_class = get_compiled_model(keras, weights).fit(x, y, class_weight=class_weight,
                                                      batch_size=16, epochs=2, shuffle=False,
                                                      verbose=0)
    by_sample = get_compiled_model(keras, weights).fit(x, y, sample_weight=sample_weight,
                                                       batch_size=16, epochs=2, shuffle=False,
                                                       verbose=0)
    return {"class_weight": by_class.history, "sample_weight": by_sample.history}


def callbacks_and_schedule(keras, weights, directory):
    x, y = data()

    class LossHistory(keras.callbacks.Callback):
        def on_train_begin(self, logs):
            self.per_batch_losses = []

        def on_batch_end(self, batch, logs):
            self.per_batch_losses.append(logs.get("loss"))

    loss_history = LossHistory()
    path = os.path.join(directory, "best.keras")
    callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=10.0, patience=1),
                 keras.callbacks.ModelCheckpoint(filepath=path, save_best_only=True,
                                                 monitor="val_loss"),
                 loss_history]
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=2,
                                                           decay_rate=0.5, staircase=True)
    model = get_compiled_model(keras, weights, optimizer=keras.optimizers.RMSprop(schedule))
    history = model.fit(x, y, batch_size=16, epochs=10, validation_split=0.25, verbose=0,
                        shuffle=False, callbacks=callbacks)
    restored = keras.saving.load_model(path)
    return {"epochs_run": len(history.history["loss"]),
            "batch_losses": len(loss_history.per_batch_losses),
            "restored_predictions": restored.predict(x[:4], verbose=0),
            "iterations": int(keras.ops.convert_to_numpy(model.optimizer.iterations)),
            "learning_rate": float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))}


def program(keras, weights=None, directory="."):
    keras.utils.set_random_seed(0)
    initial = layer_weights(get_compiled_model(keras, weights))
    return {"initial_weights": initial, **fit_evaluate_predict(keras, initial),
            "custom": custom_losses_and_metrics(keras, initial),
            "weighting": class_and_sample_weights(keras, initial),
            "callbacks": callbacks_and_schedule(keras, initial, directory)}


def check(result):
    history = result["history"]
    assert set(history) == {"loss", "sparse_categorical_accuracy", "val_loss",
                            "val_sparse_categorical_accuracy"}
    assert all(len(v) == 2 for v in history.values())
    assert len(result["split_history"]["val_loss"]) == 1
    assert len(result["evaluate"]) == 2
    assert set(result["evaluate_dict"]) == {"loss", "sparse_categorical_accuracy"}
    np.testing.assert_allclose(result["evaluate"], list(result["evaluate_dict"].values()),
                               rtol=1e-6)
    assert result["predict"].shape == (4, 6)
    np.testing.assert_allclose(result["predict"].sum(axis=1), 1.0, rtol=1e-5)
    custom = result["custom"]
    assert set(custom["metric"]) == {"loss", "categorical_true_positives"}
    # As in the guide, (batch,) labels against (batch, 1) predictions broadcast to a
    # (batch, batch) comparison, so the count runs past the number of samples.
    assert all(v > 0 for v in custom["metric"]["categorical_true_positives"])
    for name in ("function", "subclass"):
        assert custom[name]["loss"][1] < custom[name]["loss"][0]
    weighting = result["weighting"]
    assert_nested_close(weighting["class_weight"], weighting["sample_weight"], rtol=1e-5)
    callbacks = result["callbacks"]
    assert callbacks["epochs_run"] == 2  # min_delta=10 never counts as an improvement
    assert callbacks["batch_losses"] == 2 * 3
    assert callbacks["restored_predictions"].shape == (4, 6)
    assert callbacks["iterations"] == 6
    np.testing.assert_allclose(callbacks["learning_rate"], 1e-2 * 0.5 ** 3, rtol=1e-6)


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, directory=str(tmp_path)))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, directory=str(tmp_path)))


def test_same_weights_same_training_as_keras(real_keras, tmp_path):
    theirs = program(real_keras, directory=str(tmp_path / "keras"))
    ours = program(hocsau, weights=theirs["initial_weights"], directory=str(tmp_path / "ours"))
    for key in ("history", "split_history", "evaluate", "evaluate_dict", "predict", "custom",
                "weighting"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-6, path=key)
    assert_nested_close(ours["callbacks"]["restored_predictions"],
                        theirs["callbacks"]["restored_predictions"], rtol=1e-4)
