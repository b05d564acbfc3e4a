"""Parameter sharding (ZeRO-3) scenarios the sharded spawn runs (`run`, in each process) and
the one-process references (`reference`, in the parent): an Embedding -> LSTM branch and a
Conv2D -> BatchNormalization -> Dense branch meeting in a Dense layer used on both, with L2 /
L1 penalties and a binding MaxNorm constraint. Float64 unless said."""

from __future__ import annotations

import contextlib
import os

import numpy as np
from distributed_fit_scenarios import custom_step_class

N, BATCH, EPOCHS = 50, 16, 1  # uneven last batch: 2 rows -> 1 + 1


def data():
    rng = np.random.default_rng(2)
    tokens = rng.integers(0, 11, size=(N, 6))
    images = rng.normal(size=(N, 6, 6, 2))
    score = images.mean(axis=(1, 2, 3)) + tokens.mean(axis=1) / 11 - 0.5
    return (tokens, images), (score > 0).astype("float64")[:, None]


def build(keras, chosen=None, custom: bool = False):
    keras.backend.clear_session(free_memory=False)  # the same names and paths, no gc pass
    keras.utils.set_random_seed(0)
    with chosen.scope() if chosen is not None else contextlib.nullcontext():
        tokens, images = keras.Input((6,), dtype="int32"), keras.Input((6, 6, 2))
        shared = keras.layers.Dense(5, activation="tanh", name="shared",
                                    kernel_regularizer=keras.regularizers.L2(0.01),
                                    kernel_constraint=keras.constraints.MaxNorm(0.3))
        sequence = keras.layers.LSTM(5)(keras.layers.Embedding(11, 4)(tokens))
        x = keras.layers.Conv2D(3, 3, use_bias=False,
                                kernel_regularizer=keras.regularizers.L1(0.01))(images)
        x = keras.layers.BatchNormalization(synchronized=True)(x)
        x = keras.layers.Dense(5)(keras.layers.Flatten()(x))
        merged = keras.layers.Concatenate()([shared(sequence), shared(x)])
        outputs = keras.layers.Dense(1, activation="sigmoid")(merged)
        base = custom_step_class(keras, keras.Model) if custom else keras.Model
        model = base([tokens, images], outputs)
        model.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy",
                      metrics=["accuracy"])
    return model


def flat(model) -> np.ndarray:
    return np.concatenate([w.ravel() for w in model.get_weights()])


def train(keras, chosen=None, custom: bool = False, callbacks=()):
    """(model, weights after every batch, evaluate, predict, memory: what each process held
    of each sharded weight after each batch (the most over the batches) and the most whole
    weight entries it held at once during the steps)."""
    from hocsau.distribution import parameter_sharding as sharding

    model = build(keras, chosen, custom)
    steps, held, peak = [], {}, [0]

    def record(batch, logs):
        for path, size in sharding.held_elements(model).items():  # before get_weights
            held[path] = max(size, held.get(path, 0))
        steps.append(flat(model))

    def gather(weights):  # every gather of the steps: hooks, backward, penalties, constraint
        gather_all(weights)
        if not sharding._PINNED["depth"]:  # not get_weights' gather of everything
            peak[0] = max(peak[0], sum(w.untyped_storage().size() // w.element_size()
                                       for w in model.weights
                                       if isinstance(w, sharding.ShardedVariable)))

    gather_all = sharding._gather
    x, y = data()
    sharding._gather = gather
    try:
        model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=0,
                  callbacks=[keras.callbacks.LambdaCallback(on_train_batch_end=record),
                             *callbacks])
    finally:
        sharding._gather = gather_all
    evaluation = model.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    memory = {"held": held, "peak_whole": peak[0],
              "layers": [sum(w.numel() for w in layer.trainable_weights)
                         for layer in model.layers]}
    return model, np.stack(steps), evaluation, model.predict(x, batch_size=BATCH,
                                                             verbose=0), memory


def _reads(keras, model) -> dict:
    """Reading a sharded kernel between steps (the error), within `whole_weights` and by
    `get_weights` (their sums); a step taken inside `whole_weights` (weights refilled from
    the stepped chunks, kept after the block)."""
    layer = model.get_layer("shared")
    try:
        layer.kernel * 2
        message = ""
    except ValueError as error:
        message = str(error)
    before, (x, y), get_sum = flat(model), data(), float(layer.get_weights()[0].sum())
    with keras.distribution.whole_weights(model):
        inside_sum = float(layer.kernel.detach().sum())
        model.train_on_batch([part[:BATCH] for part in x], y[:BATCH])
        inside = np.concatenate([w.numpy().ravel() for w in model.weights])
    return {"read_error": message, "inside_sum": inside_sum, "get_sum": get_sum,
            "step_inside_changed": float(np.abs(inside - before).max()),
            "step_inside_kept": float(np.abs(flat(model) - inside).max())}


def _mixed_precision(keras, chosen) -> np.ndarray:
    """Weights after a 'mixed_bfloat16' fit (the casts read the sharded weights)."""
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        model = build(keras, chosen)
        x, y = data()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    finally:
        keras.config.set_dtype_policy(None)  # back to following floatx
    return flat(model)


def run(keras, out_dir):
    """Every scenario in this process: (arrays, JSON-able results)."""
    dist = keras.distribution
    arrays, results = {}, {}
    _, arrays["ddp"], _, _, _ = train(keras, dist.DataParallel())
    checkpoint = keras.callbacks.ModelCheckpoint(os.path.join(out_dir, "zero3.keras"))
    board = keras.callbacks.TensorBoard(os.path.join(out_dir, "zero3_logs"), histogram_freq=1)
    model, arrays["zero3"], results["evaluate"], arrays["predict"], results["memory"] = train(
        keras, dist.ShardedDataParallel(), callbacks=[checkpoint, board])  # chief writes
    results["sizes"] = {w.path: w.numel() for w in model.trainable_weights}
    results.update(_reads(keras, model))
    _, arrays["custom"], _, _, _ = train(keras, dist.ShardedDataParallel(), custom=True)
    keras.config.set_floatx("float32")
    try:
        _, arrays["float32"], _, _, _ = train(keras, dist.ShardedDataParallel())
        arrays["mixed"] = np.stack([_mixed_precision(keras, dist.ShardedDataParallel()),
                                    _mixed_precision(keras, dist.ShardedDataParallel(
                                        shard_weights=False))])
    finally:
        keras.config.set_floatx("float64")
    return {f"zero3_{k}": v for k, v in arrays.items()}, {"zero3": results}


def reference(keras) -> dict:
    """The same trainings in one process: {name: array or dict}."""
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        _, steps, evaluation, predictions, _ = train(keras)
        _, custom, _, _, _ = train(keras, custom=True)
        keras.config.set_floatx("float32")
        _, float32, _, _, _ = train(keras)
    finally:
        keras.config.set_floatx(previous)
    return {"steps": steps, "evaluate": evaluation, "predict": predictions, "custom": custom,
            "float32": float32}
