"""`ShardedDataParallel` and `ModelParallel` in 2 spawned processes (gloo): equal to
`DataParallel` (float64, 1e-12) and to one process (float32, 1e-5); split optimizer state;
unchanged weights; constraints, regularizers, saving, evaluate and predict. Spawned once."""

from __future__ import annotations

import contextlib
import json
import os

import numpy as np
import pytest
import torch
from spawn_ranks import join_group, spawn

import hocsau as keras
from hocsau import distribution

N, BATCH, EPOCHS = 203, 32, 2  # uneven last batch: 11 rows -> 6 + 5


def _data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(N, 5))
    return x, (x @ rng.normal(size=(5, 1)) > 0).astype("float64")


def _model(keras, optimizer=None):
    """Odd sizes (the chunks are padded; a 1-entry bias is all on process 0), a binding
    MaxNorm (it needs whole columns) and an L2 penalty."""
    keras.backend.clear_session()  # the same layer names in every run
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
    x, y = _data()
    with chosen.scope() if chosen is not None else contextlib.nullcontext():
        model = _model(keras, optimizer() if optimizer is not None else None)
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
    _, parallel_arrays, _ = _train(keras, dist.ModelParallel(layout_map=_layout_map(keras)))
    arrays["model_parallel_steps"] = parallel_arrays["steps"]
    for name, optimizer in _OPTIONS.items():  # whole-gradient norms; chunk averages
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
    x, y = _data()

    def final_weights(*callbacks) -> np.ndarray:
        model = _model(keras)
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
    x, y = _data()
    runs = []
    for _ in range(2):
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        runs.append(_flat(model))
        model.load_weights(path)
    return np.stack(runs)


_OPTIONS = {  # clipping thresholds below the gradient norms, so the clipping binds
    "clipnorm": lambda keras: lambda: keras.optimizers.SGD(0.5, clipnorm=0.05),
    "global_clipnorm": lambda keras: lambda: keras.optimizers.Adam(0.02, global_clipnorm=0.05),
    "use_ema": lambda keras: lambda: keras.optimizers.SGD(0.5, use_ema=True,
                                                          ema_overwrite_frequency=3),
}


def _fit_error(keras, chosen, optimizer) -> str:
    """The message of the ValueError that `fit` raises with `optimizer` under `chosen`."""
    x, y = _data()
    with chosen.scope():
        model = _model(keras, optimizer)
    try:
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    except ValueError as error:
        return str(error)
    return ""


def _worker(rank, world, rdzv, out_dir):
    join_group(rank, world, rdzv)
    import hocsau as keras

    keras.config.set_floatx("float64")
    arrays, results = _rank_runs(keras, out_dir, rank)
    np.savez(os.path.join(out_dir, f"arrays{rank}.npz"), **arrays)
    with open(os.path.join(out_dir, f"results{rank}.json"), "w") as f:
        json.dump(results, f)
    torch.distributed.destroy_process_group()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """(per-rank arrays and results, one-process float64 and float32 runs, the out folder)."""
    tmp = tmp_path_factory.mktemp("sharded")
    spawn(_worker, tmp)
    ranks = []
    for rank in range(2):
        with open(tmp / f"results{rank}.json") as f:
            ranks.append((dict(np.load(tmp / f"arrays{rank}.npz")), json.load(f)))
    previous = keras.config.floatx()
    try:
        keras.config.set_floatx("float64")
        single64 = _train(keras)
        keras.config.set_floatx("float32")
        single32 = _train(keras)[1]["steps"]
    finally:
        keras.config.set_floatx(previous)
    return ranks, single64, single32, tmp


def test_sharded_fit_equals_data_parallel_and_one_process(runs):
    ranks, (_, single, _), _, _ = runs
    for arrays, _ in ranks:
        assert arrays["sharded_steps"].shape == (EPOCHS * 7 + 1, 5 * 7 + 7 + 7 + 1)
        np.testing.assert_allclose(arrays["sharded_steps"], arrays["ddp_steps"], rtol=1e-12,
                                   atol=1e-12)
        np.testing.assert_allclose(arrays["model_parallel_steps"], arrays["ddp_steps"],
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(arrays["sharded_steps"], single["steps"], rtol=1e-12,
                                   atol=1e-12)
    np.testing.assert_array_equal(ranks[0][0]["sharded_steps"], ranks[1][0]["sharded_steps"])


@pytest.mark.parametrize("name", sorted(_OPTIONS))
def test_clipping_and_moving_averages_equal_data_parallel(runs, name):
    ranks, _, _, _ = runs
    for arrays, _ in ranks:
        for kind in ("sharded", "model_parallel"):
            np.testing.assert_allclose(arrays[f"{name}_{kind}"], arrays[f"{name}_ddp"],
                                       rtol=1e-12, atol=1e-12)
    unclipped = ranks[0][0]["sharded_steps"]
    assert np.abs(ranks[0][0]["global_clipnorm_sharded"] - unclipped).max() > 1e-3


def test_float32_sharded_fit_equals_one_process(runs):
    ranks, _, single32, _ = runs
    for arrays, _ in ranks:
        np.testing.assert_allclose(arrays["float32_steps"], single32, rtol=1e-5, atol=1e-6)


def test_constraint_and_regularizer_still_apply(runs):
    ranks, _, _, _ = runs
    kernel = ranks[0][0]["sharded_steps"][-1, :35].reshape(5, 7)
    np.testing.assert_array_less(np.linalg.norm(kernel, axis=0), 0.5 + 1e-9)  # MaxNorm(0.5)
    history = ranks[0][1]["sharded"]["history"]
    assert history["loss"][-1] > 0.01 * np.sum(kernel**2)  # the L2 penalty is in the loss


def test_state_is_split_and_weights_unchanged(runs):
    ranks, _, _, _ = runs
    (_, first), (_, second) = ranks
    totals = {"sequential/dense/kernel": 35, "sequential/dense/bias": 7,
              "sequential/dense_1/kernel": 7, "sequential/dense_1/bias": 1}
    assert {p: first["sizes"][p] + second["sizes"][p] for p in totals} == totals
    assert first["sizes"]["sequential/dense/kernel"] == 18
    assert second["sizes"]["sequential/dense/kernel"] == 17
    model = _model(keras)
    assert first["paths"] == second["paths"] == [w.path for w in model.weights]
    assert first["sharded"]["same_objects"] and second["sharded"]["same_objects"]
    # iteration, learning rate, then Adam's two slots per weight: each half a flat chunk
    assert first["slot_shapes"] == [[], []] + [[18]] * 2 + [[4]] * 2 + [[4]] * 2 + [[1]] * 2


def test_evaluate_and_predict(runs):
    ranks, (_, single_arrays, single), _, _ = runs
    for arrays, results in ranks:
        for key, value in single["evaluate"].items():
            np.testing.assert_allclose(results["sharded"]["evaluate"][key], value, rtol=1e-12)
        for key, value in single["history"].items():
            np.testing.assert_allclose(results["sharded"]["history"][key], value, rtol=1e-12)
        np.testing.assert_allclose(arrays["sharded_predict"], single_arrays["predict"],
                                   rtol=1e-12, atol=1e-12)


def test_saved_model_loads_in_one_process(runs):
    ranks, _, _, tmp = runs
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        loaded = keras.saving.load_model(tmp / "sharded.keras")
        x, _ = _data()
        predictions = loaded.predict(x, verbose=0)
    finally:
        keras.config.set_floatx(previous)
    arrays = ranks[0][0]
    np.testing.assert_allclose(predictions, arrays["sharded_predict"], rtol=1e-12, atol=1e-12)
    state = np.concatenate([v.numpy().ravel() for v in loaded.optimizer.variables])
    np.testing.assert_allclose(state, arrays["ddp_optimizer"], rtol=1e-10, atol=1e-12)


def test_load_weights_restores_the_sharded_optimizer_state(runs):
    ranks, _, _, _ = runs
    for arrays, _ in ranks:
        first, second = arrays["reloaded_steps"]
        np.testing.assert_array_equal(first, second)
        assert np.abs(first - arrays["sharded_steps"][-1]).max() > 1e-3  # it did train


def test_backup_and_restore_resumes_like_an_uninterrupted_run(runs):
    ranks, _, _, _ = runs
    (first, _), (second, _) = ranks
    np.testing.assert_array_equal(first["resumed"], second["resumed"])
    (resumed, resumed_epochs), (whole, whole_epochs) = [(r[:-1], r[-1]) for r in first["resumed"]]
    assert (resumed_epochs, whole_epochs) == (2, 3)  # the rerun started from the backup
    np.testing.assert_allclose(resumed, whole, rtol=1e-12, atol=1e-12)


def test_unsupported_optimizers_are_refused_naming_them(runs):
    ranks, _, _, _ = runs
    for _, results in ranks:
        assert "`Lamb` needs whole weights" in results["whole_weight_error"]
        assert "Received: optimizer=Lamb('lamb')" in results["whole_weight_error"]
        assert "dynamic loss scaling" in results["loss_scale_error"]
        assert "Received: optimizer=LossScaleOptimizer" in results["loss_scale_error"]


@pytest.fixture
def one_process(monkeypatch):
    """No torchrun environment (another test may leave WORLD_SIZE behind)."""
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)


def test_model_parallel_arguments_are_checked(one_process):
    with pytest.raises(ValueError, match="layout_map"):
        distribution.ModelParallel(layout_map=None)
    with pytest.raises(ValueError, match="LayoutMap"):
        distribution.ModelParallel(layout_map={"dense.*": (None, "model")})
    layouts = distribution.LayoutMap(distribution.DeviceMesh((1,), ["model"]))
    with pytest.raises(ValueError, match="batch_dim_name"):
        distribution.ModelParallel(layout_map=layouts, batch_dim_name="batch")


def test_one_process_model_parallel_lays_out_by_path(one_process):
    layouts = distribution.LayoutMap(distribution.DeviceMesh((1, 1), ["batch", "model"]))
    layouts[".*kernel"] = (None, "model")
    parallel = distribution.ModelParallel(layout_map=layouts)
    model = _model(keras)
    kernel, bias = model.layers[0].kernel, model.layers[0].bias
    assert parallel.batch_dim_name == "batch" and parallel.num_model_replicas == 1
    assert parallel.get_variable_layout(kernel).axes == (None, "model")
    assert parallel.get_variable_layout(bias).axes == (None,)
    assert parallel.shards_variable(kernel) and not parallel.shards_variable(bias)
    assert parallel.shard_sizes(model)["sequential/dense/kernel"] == 35
