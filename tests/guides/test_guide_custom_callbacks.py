"""keras.io guide "Writing your own callbacks" (keras-team/keras
guides/writing_your_own_callbacks.py), adapted to tiny random data: a callback recording
every hook of fit (with validation), evaluate and predict with the keys of its `logs`, the
per-batch and per-epoch loss values, early stopping at the minimum loss through
`self.model.stop_training` and `set_weights`, and a learning-rate schedule that sets
`self.model.optimizer.learning_rate` at each epoch start."""

import numpy as np
import pytest
from guide_helpers import assert_nested_close

import hocsau

HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_test_begin",
         "on_test_end", "on_predict_begin", "on_predict_end", "on_train_batch_begin",
         "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
         "on_predict_batch_begin", "on_predict_batch_end"]


def get_model(keras, weights=None):
    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
                  loss="mean_squared_error", metrics=["mean_absolute_error"])
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.random((40, 8)).astype("float32")
    return x, x @ np.linspace(-1.0, 1.0, 8).astype("float32")[:, None]


def define_callbacks(keras):
    def recorder(name):
        if name.endswith(("_begin", "_end")) and ("batch" in name or "epoch" in name):
            def hook(self, index, logs=None):
                self.events.append((name, index, sorted(logs.keys())))
        else:
            def hook(self, logs=None):
                self.events.append((name, sorted(logs.keys())))
        return hook

    CustomCallback = type("CustomCallback", (keras.callbacks.Callback,),
                          {name: recorder(name) for name in HOOKS})

    class LossAndErrorRecordingCallback(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.values = []

        def on_train_batch_end(self, batch, logs=None):
            self.values.append(("train", batch, logs["loss"]))

        def on_test_batch_end(self, batch, logs=None):
            self.values.append(("test", batch, logs["loss"]))

        def on_epoch_end(self, epoch, logs=None):
            self.values.append(("epoch", epoch, logs["loss"], logs["mean_absolute_error"]))

    class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
        def __init__(self, patience=0):
            super().__init__()
            self.patience = patience
            self.best_weights = None

        def on_train_begin(self, logs=None):
            self.wait, self.stopped_epoch, self.best = 0, 0, np.inf

        def on_epoch_end(self, epoch, logs=None):
            current = logs.get("loss")
            if np.less(current, self.best):
                self.best, self.wait = current, 0
                self.best_weights = self.model.get_weights()
            else:
                self.wait += 1
                if self.wait >= self.patience:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
                    self.model.set_weights(self.best_weights)

    class CustomLearningRateScheduler(keras.callbacks.Callback):
        def __init__(self, schedule):
            super().__init__()
            self.schedule = schedule
            self.rates = []

        def on_epoch_begin(self, epoch, logs=None):
            scheduled = self.schedule(epoch, self.model.optimizer.learning_rate)
            self.model.optimizer.learning_rate = scheduled
            self.rates.append(float(keras.ops.convert_to_numpy(scheduled)))

    return CustomCallback, LossAndErrorRecordingCallback, EarlyStoppingAtMinLoss, \
        CustomLearningRateScheduler


def lr_schedule(epoch, lr):
    return {1: 0.05, 2: 0.01}.get(epoch, lr)


def program(keras, weights=None):
    """Returns the recorded hook events, loss values, stopping epoch and learning rates."""
    keras.utils.set_random_seed(0)
    CustomCallback, Recording, EarlyStopping, Scheduler = define_callbacks(keras)
    x, y = data()
    model = get_model(keras, weights)
    initial = model.get_weights()
    events = {}
    for name in ("fit", "evaluate", "predict"):
        callback = CustomCallback()
        callback.events = []
        if name == "fit":
            model.fit(x, y, batch_size=16, epochs=1, verbose=0, validation_split=0.5,
                      shuffle=False, callbacks=[callback])
        elif name == "evaluate":
            model.evaluate(x, y, batch_size=16, verbose=0, callbacks=[callback])
        else:
            model.predict(x, batch_size=16, verbose=0, callbacks=[callback])
        events[name] = callback.events
    recording = Recording()
    get_model(keras, initial).fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False,
                                  callbacks=[recording])
    stopper = EarlyStopping()
    stopped = get_model(keras, initial)
    history = stopped.fit(x, y, batch_size=16, epochs=30, verbose=0, shuffle=False,
                          callbacks=[stopper])
    scheduler = Scheduler(lr_schedule)
    get_model(keras, initial).fit(x, y, batch_size=16, epochs=4, verbose=0, shuffle=False,
                                  callbacks=[scheduler])
    return {"initial_weights": initial, "events": events, "values": recording.values,
            "stopped_epoch": stopper.stopped_epoch, "epochs_run": len(history.history["loss"]),
            "best_loss": stopper.best, "best_weights": stopper.best_weights,
            "final_weights": stopped.get_weights(),
            "rates": scheduler.rates}


def check(result):
    fit = result["events"]["fit"]
    keys = ["loss", "mean_absolute_error"]
    val_keys = sorted(keys + ["val_loss", "val_mean_absolute_error"])
    assert fit[0] == ("on_train_begin", []) and fit[-1] == ("on_train_end", val_keys)
    assert fit[1] == ("on_epoch_begin", 0, [])
    assert fit[2:6] == [("on_train_batch_begin", 0, []), ("on_train_batch_end", 0, keys),
                        ("on_train_batch_begin", 1, []), ("on_train_batch_end", 1, keys)]
    assert ("on_test_begin", []) in fit and ("on_epoch_end", 0, val_keys) in fit
    evaluate, predict = result["events"]["evaluate"], result["events"]["predict"]
    assert [e[0] for e in evaluate] == ["on_test_begin"] + [
        "on_test_batch_begin", "on_test_batch_end"] * 3 + ["on_test_end"]
    assert evaluate[-1] == ("on_test_end", keys)
    assert predict[2] == ("on_predict_batch_end", 0, ["outputs"])
    assert [v[0] for v in result["values"]] == ["train"] * 3 + ["epoch"] + ["train"] * 3 + [
        "epoch"]
    assert result["epochs_run"] == result["stopped_epoch"] + 1 < 30
    assert_nested_close(result["final_weights"], result["best_weights"], rtol=0, atol=0)
    assert result["rates"] == pytest.approx([0.1, 0.05, 0.01, 0.01])


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_hooks_and_values_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial_weights"])
    assert ours["events"] == theirs["events"]
    assert_nested_close(ours["values"], theirs["values"], rtol=1e-5)
    for key in ("stopped_epoch", "epochs_run", "best_loss", "final_weights", "rates"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-5, path=key)
