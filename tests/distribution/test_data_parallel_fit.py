"""2 processes (spawned, gloo, file rendezvous) against one process: fit, evaluate, predict,
a custom train_step and the chief-only writers (scenarios in `distributed_fit_scenarios`;
the spawn and the `runs` fixture in `conftest.py`)."""

from __future__ import annotations

import numpy as np
from distributed_fit_scenarios import EPOCHS, N_EVAL


def test_fit_equals_one_process_step_by_step(runs):
    ranks, (reference, _), _, _ = runs
    (first, _), (second, _) = ranks
    assert first["steps"].shape == (EPOCHS * 7, reference["steps"].shape[1])
    np.testing.assert_array_equal(first["steps"], second["steps"])  # bit for bit
    np.testing.assert_allclose(first["steps"], reference["steps"], rtol=1e-12, atol=1e-12)


def test_history_equal_on_every_process(runs):
    ranks, (_, reference), _, _ = runs
    for _, results in ranks:
        assert sorted(results["history"]) == sorted(reference["history"])
        for key, values in reference["history"].items():
            np.testing.assert_allclose(results["history"][key], values, rtol=1e-12, atol=1e-12)


def test_evaluate_and_predict_on_uneven_shards(runs):
    ranks, (ref_arrays, reference), _, _ = runs
    for arrays, results in ranks:
        for key, value in reference["evaluate"].items():
            np.testing.assert_allclose(results["evaluate"][key], value, rtol=1e-12)
        assert arrays["predictions"].shape == (N_EVAL, 1)
        np.testing.assert_allclose(arrays["predictions"], ref_arrays["predictions"], rtol=1e-12,
                                   atol=1e-12)


def test_custom_train_step_averages_gradients(runs):
    ranks, (reference, _), _, _ = runs
    (first, _), (second, _) = ranks
    np.testing.assert_array_equal(first["custom_steps"], second["custom_steps"])
    np.testing.assert_allclose(first["custom_steps"], reference["custom_steps"], rtol=1e-12,
                               atol=1e-12)


def test_chief_writes_files_once(runs):
    ranks, (reference, _), tmp, single_dir = runs
    with open(tmp / "log.csv") as f:
        lines = f.read().splitlines()
    with open(single_dir / "log.csv") as f:
        assert len(lines) == len(f.read().splitlines()) == EPOCHS + 1
    assert lines[0].startswith("epoch,")
    for arrays, _ in ranks:  # the checkpoint loads right after fit on every process
        np.testing.assert_allclose(arrays["reloaded"], reference["reloaded"], rtol=1e-12)
    (_, first), (_, second) = ranks  # files each process created or renamed into place
    assert {"best.keras", "log.csv"} <= set(first["written"])
    assert second["written"] == []


def test_synchronized_batch_norm_uses_global_statistics(runs):
    ranks, (reference, _), _, _ = runs
    (first, _), (second, _) = ranks
    np.testing.assert_array_equal(first["sync_bn_steps"], second["sync_bn_steps"])
    np.testing.assert_allclose(first["sync_bn_steps"], reference["sync_bn_steps"], rtol=1e-10,
                               atol=1e-12)


def test_progress_on_the_chief_only_and_early_stopping_together(runs):
    ranks, _, _, _ = runs
    (_, first), (_, second) = ranks
    assert first["stopped_after"] == second["stopped_after"] == 2
    assert first["stdout"].count("Epoch ") == 2 and "loss" in first["stdout"]
    assert second["stdout"] == ""


def test_local_batch_norm_statistics_averaged_each_epoch(runs):
    ranks, (reference, _), _, _ = runs
    (first, _), (second, _) = ranks
    assert not np.array_equal(first["local_bn_steps"][0], second["local_bn_steps"][0])
    np.testing.assert_array_equal(first["local_bn_steps"][-1], second["local_bn_steps"][-1])


def test_batch_level_stop_ends_every_process_at_the_same_batch(runs):
    ranks, _, _, _ = runs
    assert [results["nan_batches"] for _, results in ranks] == [4, 4]


def test_backup_and_restore_resumes_like_an_uninterrupted_run(runs):
    ranks, _, _, _ = runs
    first, second = (arrays["resumed"] for arrays, _ in ranks)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first[0], first[1], rtol=1e-12, atol=1e-12)
