"""`ShardedDataParallel` and `ModelParallel` in 2 spawned processes (gloo): equal to
`DataParallel` (float64, 1e-12) and to one process (float32, 1e-5); split optimizer state;
unchanged weights; constraints, regularizers, saving, evaluate and predict. The processes
run `sharded_scenarios` (spawned once per session)."""

from __future__ import annotations

import numpy as np
import pytest
from sharded_scenarios import EPOCHS, OPTIONS, build_model, data, in_float64

import hocsau as keras
from hocsau import distribution


def test_sharded_fit_equals_data_parallel_and_one_process(sharded_runs):
    ranks, (_, single, _), _, _, _ = sharded_runs
    for arrays, _ in ranks:
        assert arrays["sharded_steps"].shape == (EPOCHS * 7 + 1, 5 * 7 + 7 + 7 + 1)
        np.testing.assert_allclose(arrays["sharded_steps"], arrays["ddp_steps"], rtol=1e-12,
                                   atol=1e-12)
        np.testing.assert_allclose(arrays["model_parallel_steps"], arrays["ddp_steps"],
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(arrays["zero2_steps"], arrays["ddp_steps"],  # whole weights
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(arrays["sharded_steps"], single["steps"], rtol=1e-12,
                                   atol=1e-12)
    np.testing.assert_array_equal(ranks[0][0]["sharded_steps"], ranks[1][0]["sharded_steps"])


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_clipping_and_moving_averages_equal_data_parallel(sharded_runs, name):
    ranks, _, _, _, _ = sharded_runs
    for arrays, _ in ranks:
        for kind in ("sharded", "model_parallel"):
            np.testing.assert_allclose(arrays[f"{name}_{kind}"], arrays[f"{name}_ddp"],
                                       rtol=1e-12, atol=1e-12)
    unclipped = ranks[0][0]["sharded_steps"]
    assert np.abs(ranks[0][0]["global_clipnorm_sharded"] - unclipped).max() > 1e-3


def test_float32_sharded_fit_equals_one_process(sharded_runs):
    ranks, _, single32, _, _ = sharded_runs
    for arrays, _ in ranks:
        np.testing.assert_allclose(arrays["float32_steps"], single32, rtol=1e-5, atol=1e-6)


def test_constraint_and_regularizer_still_apply(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
    kernel = ranks[0][0]["sharded_steps"][-1, :35].reshape(5, 7)
    np.testing.assert_array_less(np.linalg.norm(kernel, axis=0), 0.5 + 1e-9)  # MaxNorm(0.5)
    history = ranks[0][1]["sharded"]["history"]
    assert history["loss"][-1] > 0.01 * np.sum(kernel**2)  # the L2 penalty is in the loss


def test_state_is_split_and_weights_unchanged(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
    (_, first), (_, second) = ranks
    totals = {"sequential/dense/kernel": 35, "sequential/dense/bias": 7,
              "sequential/dense_1/kernel": 7, "sequential/dense_1/bias": 1}
    assert {p: first["sizes"][p] + second["sizes"][p] for p in totals} == totals
    assert first["sizes"]["sequential/dense/kernel"] == 18
    assert second["sizes"]["sequential/dense/kernel"] == 17
    model = build_model(keras)
    assert first["paths"] == second["paths"] == [w.path for w in model.weights]
    assert first["sharded"]["same_objects"] and second["sharded"]["same_objects"]
    # iteration, learning rate, then Adam's two slots per weight: each half a flat chunk
    assert first["slot_shapes"] == [[], []] + [[18]] * 2 + [[4]] * 2 + [[4]] * 2 + [[1]] * 2


def test_model_parallel_shards_only_the_weights_its_layout_map_splits(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
    for _, results in ranks:
        assert results["model_parallel_held"] == {  # kernels: a chunk; biases: whole
            "sequential/dense/kernel": 18, "sequential/dense/bias": 7,  # 35 = 2 x 18 - 1
            "sequential/dense_1/kernel": 4, "sequential/dense_1/bias": 1}


def test_evaluate_and_predict(sharded_runs):
    ranks, (_, single_arrays, single), _, _, _ = sharded_runs
    for arrays, results in ranks:
        for key, value in single["evaluate"].items():
            np.testing.assert_allclose(results["sharded"]["evaluate"][key], value, rtol=1e-12)
        for key, value in single["history"].items():
            np.testing.assert_allclose(results["sharded"]["history"][key], value, rtol=1e-12)
        np.testing.assert_allclose(arrays["sharded_predict"], single_arrays["predict"],
                                   rtol=1e-12, atol=1e-12)


def test_saved_model_loads_in_one_process(sharded_runs):
    ranks, _, _, tmp, _ = sharded_runs
    with in_float64():
        loaded = keras.saving.load_model(tmp / "sharded.keras")
        predictions = loaded.predict(data()[0], verbose=0)
    arrays = ranks[0][0]
    np.testing.assert_allclose(predictions, arrays["sharded_predict"], rtol=1e-12, atol=1e-12)
    state = np.concatenate([v.numpy().ravel() for v in loaded.optimizer.variables])
    np.testing.assert_allclose(state, arrays["ddp_optimizer"], rtol=1e-10, atol=1e-12)


def test_load_weights_restores_the_sharded_optimizer_state(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
    for arrays, _ in ranks:
        first, second = arrays["reloaded_steps"]
        np.testing.assert_array_equal(first, second)
        assert np.abs(first - arrays["sharded_steps"][-1]).max() > 1e-3  # it did train


def test_backup_and_restore_resumes_like_an_uninterrupted_run(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
    (first, _), (second, _) = ranks
    np.testing.assert_array_equal(first["resumed"], second["resumed"])
    (resumed, resumed_epochs), (whole, whole_epochs) = [(r[:-1], r[-1]) for r in first["resumed"]]
    assert (resumed_epochs, whole_epochs) == (2, 3)  # the rerun started from the backup
    np.testing.assert_allclose(resumed, whole, rtol=1e-12, atol=1e-12)


def test_unsupported_optimizers_are_refused_naming_them(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
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
    model = build_model(keras)
    kernel, bias = model.layers[0].kernel, model.layers[0].bias
    assert parallel.batch_dim_name == "batch" and parallel.num_model_replicas == 1
    assert parallel.get_variable_layout(kernel).axes == (None, "model")
    assert parallel.get_variable_layout(bias).axes == (None,)
    assert parallel.shards_variable(kernel) and not parallel.shards_variable(bias)
    assert parallel.shard_sizes(model)["sequential/dense/kernel"] == 35
