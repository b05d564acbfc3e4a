"""The fit / evaluate / predict / callback scenarios the 2-process tests run (each process
runs `run`; the parent runs `reference` in one process). Float64, so sums in another order
agree to 1e-12."""

from __future__ import annotations

import contextlib
import os

import numpy as np
import torch

N_FIT, N_EVAL, BATCH, EPOCHS = 203, 203, 32, 2  # uneven last batches: 11 rows -> 6 + 5


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N_FIT, 5))
    y = (x @ rng.normal(size=(5, 1)) > 0).astype("float64")
    return x, y


class _StepWeights:
    """Records the weights after every training batch."""

    @staticmethod
    def make(keras):
        class Recorder(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.steps = []

            def on_train_batch_end(self, batch, logs=None):
                self.steps.append(np.concatenate([w.ravel() for w in self.model.get_weights()]))

        return Recorder()


def _model(keras, custom=False):
    keras.utils.set_random_seed(0)
    base = keras.Sequential if not custom else custom_step_class(keras, keras.Sequential)
    model = base([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                  keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy", keras.metrics.AUC(name="auc")])
    return model


def custom_step_class(keras, base):
    """A subclass of the model class `base` whose `train_step` is written by hand."""

    class CustomStep(base):
        """The Keras torch guide's step: plain forward, backward, `optimizer.apply`."""

        def train_step(self, data):
            x, y = data
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred)
            self.zero_grad()
            loss.backward()
            weights = list(self.trainable_weights)
            with torch.no_grad():
                self.optimizer.apply([w.grad for w in weights], weights)
            return self.compute_metrics(x, y, y_pred)

    return CustomStep


def reference(keras, out_dir):
    """Run every scenario; returns arrays and JSON-able results."""
    x, y = _data()
    model = _model(keras)
    recorder = _StepWeights.make(keras)
    callbacks = [recorder, keras.callbacks.CSVLogger(os.path.join(out_dir, "log.csv")),
                 keras.callbacks.ModelCheckpoint(os.path.join(out_dir, "best.keras"),
                                                 monitor="loss", save_best_only=True)]
    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=True, verbose=0,
                        validation_data=(x[:101], y[:101]), callbacks=callbacks)
    evaluation = model.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    predictions = model.predict(x, batch_size=64, verbose=0)
    reloaded = keras.saving.load_model(os.path.join(out_dir, "best.keras"))
    custom = _model(keras, custom=True)
    custom_recorder = _StepWeights.make(keras)
    custom.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=True, verbose=0,
               callbacks=[custom_recorder])
    arrays = {"steps": np.stack(recorder.steps), "predictions": predictions,
              "sync_bn_steps": _batch_norm_steps(keras, x, y, synchronized=True),
              "local_bn_steps": _batch_norm_steps(keras, x, y, synchronized=False),
              "reloaded": reloaded.predict(x[:7], verbose=0),
              "custom_steps": np.stack(custom_recorder.steps)}
    return arrays, {"history": history.history, "evaluate": evaluation}


def _batch_norm_steps(keras, x, y, synchronized):
    """Weights (moving statistics included) after every batch and at the end of a BN model."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(6),
                              keras.layers.BatchNormalization(synchronized=synchronized),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    recorder = _StepWeights.make(keras)
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[recorder])
    final = np.concatenate([w.ravel() for w in model.get_weights()])
    return np.stack(recorder.steps + [final])


def _early_stop_with_progress(keras, rank_dir):
    """A verbose fit that EarlyStopping ends: (epochs run, what this process printed)."""
    x, y = _data()
    model = _model(keras)
    stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=1)
    with open(os.path.join(rank_dir, "stdout.txt"), "w") as out:
        with contextlib.redirect_stdout(out):
            history = model.fit(x, y, batch_size=BATCH, epochs=6, verbose=2, callbacks=[stop])
    with open(os.path.join(rank_dir, "stdout.txt")) as out:
        return len(history.epoch), out.read()


def _resumed_weights(keras, backup_dir):
    """(weights after an interrupted run resumed by BackupAndRestore, uninterrupted ones)."""
    x, y = _data()

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("interrupted")

    def run(callbacks):
        model = _model(keras)
        model.fit(x, y, batch_size=BATCH, epochs=3, verbose=0, callbacks=callbacks)
        return np.concatenate([w.ravel() for w in model.get_weights()])

    with contextlib.suppress(RuntimeError):
        run([keras.callbacks.BackupAndRestore(backup_dir), Interrupt()])
    resumed = run([keras.callbacks.BackupAndRestore(backup_dir)])
    return np.stack([resumed, run([])])


def _batches_before_nan_stop(keras):
    """Batches trained before TerminateOnNaN stops: a NaN row lies in process 0's half of
    batch 3 only (its local loss), so without a synced stop process 1 would go on alone
    (and hang)."""
    x, y = _data()
    x = x.copy()
    x[100] = np.nan
    recorder = _StepWeights.make(keras)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
              callbacks=[keras.callbacks.TerminateOnNaN(), recorder])
    return len(recorder.steps)


def run(keras, out_dir, rank_dir):
    """Every scenario in this process (one of several): (arrays, JSON-able results)."""
    arrays, results = reference(keras, out_dir)
    results["stopped_after"], results["stdout"] = _early_stop_with_progress(keras, rank_dir)
    results["nan_batches"] = _batches_before_nan_stop(keras)
    arrays["resumed"] = _resumed_weights(keras, os.path.join(out_dir, "backup"))
    return arrays, results
