"""Scenarios for per-process data sources, metric aggregation, a two-optimizer GAN step and
the clear errors, run in the same 2 processes as `distributed_fit_scenarios` (`run`); the
parent computes `reference` in one process. Float64."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from distributed_fit_scenarios import _StepWeights

ROWS, LOCAL_BATCH = 200, 16  # 13 per-process batches: 2 processes train 6 steps each
SOURCES = ("pydataset", "dataloader", "generator", "dataset", "endless_generator")


def _data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(ROWS, 5))
    y = (x @ rng.normal(size=(5, 1)) > 0).astype("float64")
    return x, y


def _small_model(keras):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy", _max_abs_error(keras)])
    return model


def _max_abs_error(keras):
    class MaxAbsError(keras.metrics.Metric):
        """A running maximum: its state combines over processes by "max", not a sum."""

        def __init__(self, name="max_abs_error"):
            super().__init__(name=name)
            self.largest = self.add_variable((), "zeros", aggregation="max", name="largest")

        def update_state(self, y_true, y_pred, sample_weight=None):
            error = torch.max(torch.abs(torch.as_tensor(y_true) - y_pred))
            self.largest.assign(torch.maximum(self.largest, error))

        def result(self):
            return self.largest

    return MaxAbsError()


def _sources(keras, x, y, seen):
    """Four per-process sources of the same 13 batches of 16 rows (the last has 8)."""
    class Batches(keras.utils.PyDataset):
        def __init__(self, targets=True):
            super().__init__()
            self.targets = targets

        def __len__(self):
            return -(-ROWS // LOCAL_BATCH)

        def __getitem__(self, index):
            seen.append(index)
            rows = slice(index * LOCAL_BATCH, (index + 1) * LOCAL_BATCH)
            return (x[rows], y[rows]) if self.targets else x[rows]

    def generator(rows=ROWS, forever=False):
        while True:
            for start in range(0, rows, LOCAL_BATCH):
                yield x[start:start + LOCAL_BATCH], y[start:start + LOCAL_BATCH]
            if not forever:
                return

    tensors = torch.utils.data.TensorDataset(torch.as_tensor(x), torch.as_tensor(y))
    return {"pydataset": Batches(), "dataloader": torch.utils.data.DataLoader(
                tensors, batch_size=LOCAL_BATCH),
            "generator": generator(),
            "endless_generator": generator(rows=192, forever=True),
            "dataset": keras.data.Dataset.from_tensor_slices((x, y)).batch(LOCAL_BATCH),
            "predict_pydataset": Batches(targets=False)}


def _per_process_sources(keras):
    """Each source's weights after every step, and the warnings each fit gave."""
    x, y = _data()
    arrays, results = {}, {"warnings": {}}
    sources = _sources(keras, x, y, [])
    for name in SOURCES:
        model, recorder = _small_model(keras), _StepWeights.make(keras)
        # 2 epochs of 3 steps: the endless generator's second epoch goes on where each
        # process's stream stopped (process 0 read one batch fewer than process 1)
        epochs = {"epochs": 2, "steps_per_epoch": 3} if name == "endless_generator" else {}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(sources[name], shuffle=False, verbose=0, callbacks=[recorder],
                      **{"epochs": 1, **epochs})
        arrays[f"{name}_steps"] = np.stack(recorder.steps)
        results["warnings"][name] = [str(w.message) for w in caught]
    results["source_evaluate"] = model.evaluate(sources["pydataset"], verbose=0,
                                                return_dict=True)
    arrays["source_predictions"] = model.predict(sources["predict_pydataset"], verbose=0)
    return arrays, results


def _shuffled_indices(keras):
    """The PyDataset indices each process loaded in two shuffled epochs."""
    x, y = _data()
    seen: list = []
    model = _small_model(keras)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(_sources(keras, x, y, seen)["pydataset"], epochs=2, shuffle=True, verbose=0)
    return seen


def _reference_sources(keras):
    """One process on arrays with the 2-process global batch (32 rows, 192 of them)."""
    x, y = _data()
    model, recorder = _small_model(keras), _StepWeights.make(keras)
    model.fit(x[:192], y[:192], batch_size=2 * LOCAL_BATCH, epochs=1, shuffle=False,
              verbose=0, callbacks=[recorder])
    steps = np.stack(recorder.steps)
    arrays = {f"{name}_steps": steps for name in SOURCES}
    arrays["source_predictions"] = model.predict(x, batch_size=LOCAL_BATCH, verbose=0)
    evaluation = model.evaluate(x, y, batch_size=LOCAL_BATCH, verbose=0, return_dict=True)
    return arrays, {"source_evaluate": evaluation}


def _gan(keras):
    """The Keras GAN guide's shape on torch: two optimizers, two backward passes per step."""
    class GAN(keras.Model):
        def __init__(self):
            super().__init__()
            self.generator = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5)])
            self.discriminator = keras.Sequential(
                [keras.Input((5,)), keras.layers.Dense(4, activation="tanh"),
                 keras.layers.Dense(1, activation="sigmoid")])

        def call(self, noise):
            return self.discriminator(self.generator(noise))

        def compile(self, d_optimizer, g_optimizer):
            super().compile()
            self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
            self.loss_fn = keras.losses.BinaryCrossentropy()

        def _apply(self, loss, network, optimizer):
            self.zero_grad()
            loss.backward()
            weights = network.trainable_weights
            with torch.no_grad():
                optimizer.apply([w.grad for w in weights], weights)

        def train_step(self, data):
            real, noise = keras.utils.unpack_x_y_sample_weight(data)[0]
            ones = torch.ones((real.shape[0], 1), dtype=real.dtype)
            d_loss = (self.loss_fn(ones, self.discriminator(real))
                      + self.loss_fn(0 * ones, self.discriminator(self.generator(noise).detach())))
            self._apply(d_loss, self.discriminator, self.d_optimizer)
            g_loss = self.loss_fn(ones, self.discriminator(self.generator(noise)))
            self._apply(g_loss, self.generator, self.g_optimizer)
            return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}

    return GAN


def _gan_steps(keras):
    """GAN weights (both networks) after every step: 203 rows, global batch 32, shuffled."""
    rng = np.random.default_rng(2)
    real, noise = rng.normal(size=(203, 5)), rng.normal(size=(203, 3))
    keras.utils.set_random_seed(0)
    gan = _gan(keras)()
    gan.compile(keras.optimizers.Adam(0.01), keras.optimizers.SGD(0.05, momentum=0.5))
    recorder = _StepWeights.make(keras)
    gan.fit((real, noise), batch_size=32, epochs=2, shuffle=True, verbose=0,
            callbacks=[recorder])
    return np.stack(recorder.steps)


def _unused_weights(keras, find_unused):
    """A model with a head its output does not use: (error message or None, final weights)."""
    class TwoHeads(keras.Model):
        def __init__(self):
            super().__init__()
            self.used = keras.layers.Dense(1, name="used_head")
            self.unused = keras.layers.Dense(1, name="unused_head")
            self.unused.build((None, 5))

        def call(self, x):
            return self.used(x)

    x, y = _data()
    keras.utils.set_random_seed(0)
    with keras.distribution.DataParallel(find_unused_parameters=find_unused).scope():
        model = TwoHeads()
        model.build((None, 5))
        model.compile("sgd", "mse")
    try:
        model.fit(x[:64], y[:64], batch_size=32, epochs=2, verbose=0)
    except ValueError as error:
        return str(error), None
    return None, np.concatenate([w.ravel() for w in model.get_weights()])


def _structure_error(keras, rank):
    """Process 1 builds a wider layer than process 0: the error names the weight."""
    x, y = _data()
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4 + rank, name="wide"),
                              keras.layers.Dense(1)], name="net")
    model.compile("sgd", "mse")
    try:
        model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    except ValueError as error:
        return str(error)
    return None


def run(keras, rank):
    arrays, results = _per_process_sources(keras)
    results["shuffled_indices"] = _shuffled_indices(keras)
    arrays["gan_steps"] = _gan_steps(keras)
    results["unused_error"], _ = _unused_weights(keras, find_unused=False)
    results["unused_allowed_error"], arrays["unused_allowed"] = _unused_weights(keras, True)
    results["structure_error"] = _structure_error(keras, rank)
    return arrays, results


def reference(keras):
    arrays, results = _reference_sources(keras)
    arrays["gan_steps"] = _gan_steps(keras)
    return arrays, results
