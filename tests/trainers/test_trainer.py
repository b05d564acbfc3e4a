"""compile / fit / evaluate / predict: Keras semantics with real numbers."""

import numpy as np
import pytest

import hocsau as keras
from hocsau import layers


def _data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0], "float32") + 0.25).reshape(-1, 1)
    return x, y


def _linear(optimizer="sgd"):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


def test_sgd_step_matches_numpy():
    x, y = _data(8)
    model = _linear(keras.optimizers.SGD(learning_rate=0.1))
    kernel, bias = model.get_weights()
    err = x @ kernel + bias - y
    grad_k, grad_b = 2 * x.T @ err / len(x), 2 * err.sum(0) / len(x)
    model.train_on_batch(x, y)
    new_kernel, new_bias = model.get_weights()
    np.testing.assert_allclose(new_kernel, kernel - 0.1 * grad_k, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_bias, bias - 0.1 * grad_b, rtol=1e-5, atol=1e-6)


def test_fit_learns_and_history_has_keras_keys():
    x, y = _data()
    model = _linear(keras.optimizers.Adam(0.05))
    history = model.fit(x, y, epochs=30, batch_size=16, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert history.epoch == list(range(30)) and history.params["epochs"] == 30
    assert history.history["loss"][-1] < 0.01 * history.history["loss"][0]


def test_validation_split_uses_last_rows_and_matches_evaluate():
    x, y = _data(103)
    model = _linear()
    history = model.fit(x, y, epochs=2, batch_size=10, validation_split=0.2, verbose=0)
    n_val = len(x) - int(np.floor(len(x) * 0.8))
    loss, mae = model.evaluate(x[-n_val:], y[-n_val:], verbose=0)
    assert abs(loss - history.history["val_loss"][-1]) < 1e-5
    assert abs(mae - history.history["val_mae"][-1]) < 1e-6
    as_dict = model.evaluate(x[-n_val:], y[-n_val:], verbose=0, return_dict=True)
    assert set(as_dict) == {"loss", "mae"}


def test_epoch_loss_is_batch_size_weighted_mean():
    x, y = _data(10)
    model = _linear(keras.optimizers.SGD(learning_rate=0.0))
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    kernel, bias = model.get_weights()
    expected = np.mean((x @ kernel + bias - y) ** 2)
    np.testing.assert_allclose(history.history["loss"][0], expected, rtol=1e-5)


def test_predict_concatenates_batches_and_matches_call():
    x, _ = _data(70)
    model = _linear()
    out = model.predict(x, batch_size=32, verbose=0)
    assert out.shape == (70, 1)
    np.testing.assert_allclose(out, model(x).detach().numpy(), rtol=1e-6)


def test_generator_and_pydataset_inputs():
    x, y = _data(64)

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

    model = _linear()
    history = model.fit(Batches(), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2

    def generator():
        while True:
            for i in range(4):
                yield x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

    history = model.fit(generator(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_sparse_accuracy_resolution_and_class_weight():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 5)).astype("float32")
    labels = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0)
    model = keras.Sequential([keras.Input((5,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, labels, epochs=1, class_weight={0: 1.0, 1: 2.0, 2: 1.0}, verbose=0)
    loss, accuracy = model.evaluate(x, labels, verbose=0)
    predicted = model.predict(x, verbose=0).argmax(1)
    assert abs(accuracy - np.mean(predicted == labels)) < 1e-6


def test_errors_before_compile_and_on_mismatched_lengths():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((2, 4)), np.zeros((2, 1)))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(np.zeros((5, 4)), np.zeros((4, 1)), verbose=0)


def test_early_stopping_restores_best_weights():
    x, y = _data(40)
    model = _linear(keras.optimizers.SGD(learning_rate=0.0))
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=10, callbacks=[stopper], verbose=0)
    assert len(history.epoch) == 3 and stopper.stopped_epoch == 2 and stopper.best_epoch == 0


def test_compile_config_round_trip_keeps_metric_names():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.MeanAbsoluteError(name="err")])
    clone = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax")])
    clone.compile_from_config(model.get_compile_config())
    x, y = np.ones((4, 3), "float32"), np.eye(2, dtype="float32")[[0, 1, 1, 0]]
    logs = clone.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(logs) == ["accuracy", "err", "loss"]


def test_mixed_float16_models_train_with_a_loss_scale_optimizer():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, dtype="mixed_float16"),
                              layers.Dense(1, dtype="float32")])
    model.dtype_policy = "mixed_float16"
    model.compile(optimizer="adam", loss="mse")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(model.optimizer.inner_optimizer, keras.optimizers.Adam)
    history = model.fit(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"), epochs=2,
                        verbose=0)
    assert np.isfinite(history.history["loss"]).all()
