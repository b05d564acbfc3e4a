"""compile / fit / evaluate / predict: Keras semantics with real numbers."""

import warnings

import keras as keras3
import numpy as np
import pytest

import hocsau
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
    with pytest.raises(ValueError, match=r"call `compile\(\)` before using the model in `fit`"):
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


# --- against Keras 3: the same program (same weights) on both libraries ----------------------
def _same_weights(lib, model):
    rng = np.random.default_rng(3)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def _frozen(lib):
    inputs = lib.Input((4,))
    dense = lib.layers.Dense(1)
    model = _same_weights(lib, lib.Model(inputs, dense(inputs)))
    dense.trainable = False
    model.compile(lib.optimizers.SGD(0.1), "mse", metrics=["mae"])
    return model


def _penalty_only(lib):
    """A model whose only loss is `add_loss` and that has no weights at all."""
    class Penalty(lib.Model):
        def call(self, x):
            self.add_loss(lib.ops.mean(x ** 2))
            return x

    model = Penalty()
    model.compile(lib.optimizers.SGD(0.1))
    return model


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # Keras's
@pytest.mark.parametrize("make, with_targets", [(_frozen, True), (_penalty_only, False)],
                         ids=["frozen", "add_loss-only"])
def test_fit_without_trainable_weights_reports_the_loss_as_keras(make, with_targets):
    x, y = _data(12)
    histories = []
    for lib in (hocsau, keras3):
        model = make(lib)
        with pytest.warns(UserWarning, match="The model does not have any trainable weights"):
            history = model.fit(x, y if with_targets else None, batch_size=4, epochs=2,
                                shuffle=False, verbose=0)
        histories.append(history.history)
    ours, theirs = histories
    assert list(ours) == list(theirs)
    for key in ours:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5)


def _on_batch_calls(lib, model):
    x, y = _data(8)
    model.compile(lib.optimizers.SGD(0.05), "mse", metrics=["mse", "mae"])
    return [model.test_on_batch(x[:4], y[:4]), model.test_on_batch(x[4:], y[4:]),
            model.train_on_batch(x[:4], y[:4]), model.train_on_batch(x[4:], y[4:]),
            model.train_on_batch(x, y, return_dict=True), model.test_on_batch(
                x, y, sample_weight=np.arange(8.0), return_dict=True)]


def test_on_batch_methods_return_that_batch_values_in_keras_order():
    ours, theirs = (_on_batch_calls(lib, _same_weights(lib, lib.Sequential(
        [lib.Input((4,)), lib.layers.Dense(1)]))) for lib in (hocsau, keras3))
    for a, b in zip(ours, theirs, strict=True):
        assert type(a) is type(b) and (list(a) == list(b) if isinstance(a, dict) else True)
        np.testing.assert_allclose(list(a.values()) if isinstance(a, dict) else a,
                                   list(b.values()) if isinstance(b, dict) else b, rtol=1e-5)
    assert ours[0][0] == pytest.approx(ours[0][1])  # one batch: the loss is its mse


def test_list_logs_put_metrics_first_then_the_other_keys_sorted():
    class Custom:
        def test_step(self, data):
            return {"zeta": 1.0, "alpha": 2.0, "loss": 3.0}

    results = []
    for lib in (hocsau, keras3):
        model = type("Model", (Custom, lib.Sequential), {})(
            [lib.Input((4,)), lib.layers.Dense(1)])
        model.compile("sgd", "mse")
        x, y = _data(4)
        results.append((model.evaluate(x, y, verbose=0), model.test_on_batch(x, y)))
    assert results[0] == results[1] == ([3.0, 2.0, 1.0], [3.0, 2.0, 1.0])


@pytest.mark.parametrize("steps_per_epoch, expected_losses", [(6, 3), (4, 3), (10, 3)])
def test_steps_per_epoch_over_arrays_walks_batches_as_keras(steps_per_epoch,
                                                            expected_losses):
    """Arrays with `steps_per_epoch`: one iterator across epochs; used up exactly at an
    epoch's end it starts again (6 of 6 batches: every epoch trains 6 steps); running dry within
    an epoch ends that epoch with Keras's warning, the next starts afresh (4 steps: 4 + 2 + 4)."""
    counts = []
    for lib in (hocsau, keras3):
        inputs = lib.Input((3,))
        model = lib.Model(inputs, lib.layers.Dense(1)(inputs))
        model.compile("sgd", "mse")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            history = model.fit(np.ones((96, 3), "float32"), np.ones(96, "float32"),
                                batch_size=16, epochs=3, steps_per_epoch=steps_per_epoch,
                                verbose=0)
        ran_out = sum("ran out of data" in str(w.message) for w in caught)
        counts.append((int(model.optimizer.iterations), ran_out,
                       len(history.history["loss"])))
    assert counts[0] == counts[1]
    assert counts[0][2] == expected_losses


def _two_output_model(lib):
    inputs = lib.Input((4,), name="a")
    first = lib.layers.Dense(1, name="first")(inputs)
    second = lib.layers.Dense(3, name="second")(inputs)
    return lib.Model(inputs, [first, second])


@pytest.mark.filterwarnings("ignore:Gradients do not exist:UserWarning")
@pytest.mark.parametrize("loss", [["mse", "mae"], [None, "mse"]])
def test_per_output_losses_logged_as_keras_logs_them(loss):
    """A "<output>_loss" log per loss only when several outputs have one, each a mean over
    samples (batches of 8 and 2 here), so they add up to the total loss."""
    rng = np.random.default_rng(0)
    x = rng.random((10, 4)).astype("float32")
    y = [rng.random((10, 1)).astype("float32"), rng.random((10, 3)).astype("float32")]
    models = [_two_output_model(lib) for lib in (keras, keras3)]
    models[0].set_weights(models[1].get_weights())
    histories = []
    for model in models:
        model.compile(optimizer="sgd", loss=loss)
        histories.append(model.fit(x, y, batch_size=8, epochs=1, shuffle=False,
                                   verbose=0).history)
    ours, theirs = histories
    assert set(ours) == set(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, err_msg=key)
    if loss[0] is not None:
        np.testing.assert_allclose(ours["loss"], np.add(ours["first_loss"], ours["second_loss"]),
                                   rtol=1e-5)


@pytest.mark.filterwarnings("ignore:Gradients do not exist:UserWarning")
def test_none_target_for_an_output_without_loss():
    rng = np.random.default_rng(0)
    x, y = rng.random((10, 4)).astype("float32"), rng.random((10, 3)).astype("float32")
    model = _two_output_model(keras)
    model.compile(optimizer="sgd", loss=[None, "mse"])
    history = model.fit(x, [None, y], batch_size=8, epochs=2, verbose=0).history
    assert set(history) == {"loss"} and len(history["loss"]) == 2
    assert history["loss"][1] < history["loss"][0]


def test_dict_targets_matched_to_outputs_by_name_whatever_their_order():
    rng = np.random.default_rng(1)
    x = rng.random((8, 4)).astype("float32")
    targets = {"second": rng.random((8, 3)).astype("float32"),
               "first": rng.random((8, 1)).astype("float32")}  # not the outputs' order
    results = []
    models = [_two_output_model(lib) for lib in (keras, keras3)]
    models[0].set_weights(models[1].get_weights())
    for model in models:
        model.compile(optimizer="sgd", loss=["mse", "mae"], metrics=[["mae"], ["mse"]])
        results.append(model.evaluate(x, targets, verbose=0, return_dict=True))
    ours, theirs = results
    assert set(ours) == set(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, err_msg=key)


def test_compute_loss_overrides_with_and_without_training():
    """Overrides written before Keras 3.3 have no `training` argument: fit and evaluate call
    them without it; newer ones get True in fit and False in evaluate."""
    seen = []

    class Old(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
            seen.append("old")
            return keras.ops.mean(keras.ops.square(y - y_pred)) * 2.0

    class New(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            seen.append(training)
            return super().compute_loss(x, y, y_pred, sample_weight, training=training)

    x, y = _data(16)
    for cls in (Old, New):
        inputs = keras.Input((4,))
        model = cls(inputs, layers.Dense(1, kernel_initializer="zeros")(inputs))
        model.compile(optimizer="sgd", loss="mse")
        loss = model.evaluate(x, y, batch_size=16, verbose=0)
        expected = np.mean(np.square(y)) * (2.0 if cls is Old else 1.0)
        np.testing.assert_allclose(loss, expected, rtol=1e-5)
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert seen == ["old", "old", False, True]
