"""The `ShardedDataParallel` / `ModelParallel` scenarios of the 2 spawned processes (gloo),
spawned once per session (`conftest.sharded_runs`): each process runs `_rank_runs` and
`parameter_sharding_scenarios.run`; the parent computes the one-process references."""

from __future__ import annotations

import contextlib
import json
import os

import numpy as np
import parameter_sharding_scenarios
import torch
from spawn_ranks import join_group, spawn

N, BATCH, EPOCHS = 203, 32, 2  # uneven last batch: 11 rows -> 6 + 5


def data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(N, 5))
    return x, (x @ rng.normal(size=(5, 1)) > 0).astype("float64")


def build_model(keras, optimizer=None):
    """Odd sizes (the chunks are padded; a 1-entry bias is all on process 0), a binding
    MaxNorm (it needs whole columns) and an L2 penalty."""
    keras.backend.clear_session(free_memory=False)  # the same layer names (no gc pass)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((5,)),
        keras.layers.Dense(7, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01),
                           kernel_constraint=keras.constraints.MaxNorm(0.5)),
        keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer or keras.optimizers.Adam(0.02),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _flat(model) -> np.ndarray:
    return np.concatenate([w.ravel() for w in model.get_weights()])


def _train(keras, chosen=None, optimizer=None):
    """(weights after every batch and at the end, history, evaluate, predict) under
    `chosen`."""
    x, y = data()
    with chosen.scope() if chosen is not None else contextlib.nullcontext():
        model = build_model(keras, optimizer() if optimizer is not None else None)
    steps = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: steps.append(_flat(model)))
    weights = list(model.weights)
    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=0, callbacks=[record])
    steps.append(_flat(model))  # after `fit`'s end (the moving averages with `use_ema`)
    evaluation = model.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    kept = len(weights) == len(model.weights) and all(
        a is b for a, b in zip(weights, model.weights, strict=True))
    return model, {"steps": np.stack(steps), "predict": model.predict(x, verbose=0)}, {
        "history": history.history, "evaluate": evaluation, "same_objects": kept}


def _layout_map(keras):
    mesh = keras.distribution.DeviceMesh((1, 2), ["batch", "model"])
    layouts = keras.distribution.LayoutMap(mesh)
    layouts[".*kernel"] = (None, "model")
    return layouts


def _rank_runs(keras, out_dir, rank):
    dist = keras.distribution
    ddp, arrays, results = _train(keras, dist.DataParallel())
    arrays = {f"ddp_{k}": v for k, v in arrays.items()}
    arrays["ddp_optimizer"] = np.concatenate([v.numpy().ravel()
                                              for v in ddp.optimizer.variables])
    sharded_dist = dist.ShardedDataParallel()
    sharded, sharded_arrays, sharded_results = _train(keras, sharded_dist)
    sharded.save(os.path.join(out_dir, "sharded.keras"))
    arrays["reloaded_steps"] = _continued_after_reload(sharded, out_dir)
    arrays.update({f"sharded_{k}": v for k, v in sharded_arrays.items()})
    parallel, parallel_arrays, _ = _train(keras, dist.ModelParallel(
        layout_map=_layout_map(keras)))
    arrays["model_parallel_steps"] = parallel_arrays["steps"]
    results["model_parallel_held"] = {  # whole storage + chunk of each sharded weight
        w.path: w.untyped_storage().size() // w.element_size()
        + (w._chunk.numel() if hasattr(w, "_chunk") else 0) for w in parallel.weights}
    zero2 = dist.ShardedDataParallel(shard_weights=False)  # the weights stay whole
    arrays["zero2_steps"] = _train(keras, zero2)[1]["steps"]
    for name, optimizer in OPTIONS.items():  # whole-gradient norms; chunk averages
        for kind, chosen in (("ddp", dist.DataParallel()), ("sharded", sharded_dist),
                             ("model_parallel", dist.ModelParallel(layout_map=_layout_map(
                                 keras)))):
            arrays[f"{name}_{kind}"] = _train(keras, chosen, optimizer(keras))[1]["steps"]
    results.update(sharded=sharded_results, sizes=sharded_dist.shard_sizes(sharded),
                   paths=[w.path for w in sharded.weights],
                   slot_shapes=[list(v.shape) for v in sharded.optimizer.variables],
                   loss_scale_error=_fit_error(keras, sharded_dist, keras.optimizers.
                                               LossScaleOptimizer(keras.optimizers.SGD())),
                   whole_weight_error=_fit_error(keras, sharded_dist,
                                                 keras.optimizers.Lamb(name="lamb")))
    with sharded_dist.scope():
        arrays["resumed"] = _resumed_and_uninterrupted(keras, os.path.join(out_dir, "backup"))
    keras.config.set_floatx("float32")
    arrays["float32_steps"] = _train(keras, dist.ShardedDataParallel())[1]["steps"]
    return arrays, results


class _Interrupted(Exception):
    pass


def _resumed_and_uninterrupted(keras, backup_dir) -> np.ndarray:
    """Final weights of a 3-epoch fit stopped by an error after its first epoch's backup and
    rerun with BackupAndRestore (the optimizer is rebuilt, then restored, then sharded), and
    of an uninterrupted one."""
    x, y = data()

    def final_weights(*callbacks) -> np.ndarray:
        model = build_model(keras)
        history = model.fit(x, y, batch_size=BATCH, epochs=3, verbose=0,
                            callbacks=list(callbacks))
        return np.append(_flat(model), len(history.epoch))  # and the epochs it ran

    stop = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: _interrupt())
    with contextlib.suppress(_Interrupted):
        final_weights(keras.callbacks.BackupAndRestore(backup_dir), stop)
    return np.stack([final_weights(keras.callbacks.BackupAndRestore(backup_dir)),
                     final_weights()])


def _interrupt():
    raise _Interrupted()


def _continued_after_reload(model, out_dir) -> np.ndarray:
    """Weights after one more epoch from the saved state, twice: right after `save_weights`,
    and after `load_weights` brought the (sharded) optimizer state and weights back."""
    path = os.path.join(out_dir, "sharded.weights.h5")
    model.save_weights(path)
    x, y = data()
    runs = []
    for _ in range(2):
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        runs.append(_flat(model))
        model.load_weights(path)
    return np.stack(runs)


OPTIONS = {  # clipping thresholds below the gradient norms, so the clipping binds
    "clipnorm": lambda keras: lambda: keras.optimizers.SGD(0.5, clipnorm=0.05),
    "global_clipnorm": lambda keras: lambda: keras.optimizers.Adam(0.02, global_clipnorm=0.05),
    "use_ema": lambda keras: lambda: keras.optimizers.SGD(0.5, use_ema=True,
                                                          ema_overwrite_frequency=3),
}


def _fit_error(keras, chosen, optimizer) -> str:
    """The message of the ValueError that `fit` raises with `optimizer` under `chosen`."""
    x, y = data()
    with chosen.scope():
        model = build_model(keras, optimizer)
    try:
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    except ValueError as error:
        return str(error)
    return ""


def _worker(rank, world, rdzv, out_dir):
    join_group(rank, world, rdzv)
    import hocsau as keras

    keras.config.set_floatx("float64")
    arrays, results = parameter_sharding_scenarios.run(keras, out_dir)
    more_arrays, more_results = _rank_runs(keras, out_dir, rank)
    arrays.update(more_arrays)
    results.update(more_results)
    np.savez(os.path.join(out_dir, f"arrays{rank}.npz"), **arrays)
    with open(os.path.join(out_dir, f"results{rank}.json"), "w") as f:
        json.dump(results, f)
    torch.distributed.destroy_process_group()


def run_all(tmp_path_factory):
    """(per-rank arrays and results, one-process float64 and float32 runs, the out folder,
    the one-process references of `parameter_sharding_scenarios`)."""
    tmp = tmp_path_factory.mktemp("sharded")
    spawn(_worker, tmp)
    ranks = []
    for rank in range(2):
        with open(tmp / f"results{rank}.json") as f:
            ranks.append((dict(np.load(tmp / f"arrays{rank}.npz")), json.load(f)))
    import hocsau as keras

    previous = keras.config.floatx()
    try:
        keras.config.set_floatx("float64")
        single64 = _train(keras)
        keras.config.set_floatx("float32")
        single32 = _train(keras)[1]["steps"]
    finally:
        keras.config.set_floatx(previous)
    return ranks, single64, single32, tmp, parameter_sharding_scenarios.reference(keras)




@contextlib.contextmanager
def in_float64():
    """float64 as the default float inside the block (the processes trained in float64)."""
    import hocsau as keras

    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        yield
    finally:
        keras.config.set_floatx(previous)
