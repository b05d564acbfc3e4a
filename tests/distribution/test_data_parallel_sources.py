"""2 processes against one process: per-process batches from a PyDataset, a DataLoader, a
generator and a `hocsau.data.Dataset`; metric states reduced by their aggregation; a GAN
step with two optimizers; the clear errors (scenarios in `distributed_data_scenarios`)."""

from __future__ import annotations

import numpy as np
import pytest
from distributed_data_scenarios import ROWS, SOURCES


@pytest.mark.parametrize("source", SOURCES)
def test_per_process_batches_equal_one_process_on_their_union(runs, source):
    """Process r trains on batches r, r + 2, ...: step k sees batches 2k and 2k + 1, which
    is one process's batch k of 32 rows; the 13th batch is dropped on both."""
    ranks, (reference, _), _, _ = runs
    (first, _), (second, _) = ranks
    key = f"{source}_steps"
    assert first[key].shape == reference[key].shape and len(first[key]) == 6
    np.testing.assert_array_equal(first[key], second[key])
    np.testing.assert_allclose(first[key], reference[key], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("source", ("pydataset", "dataloader", "dataset"))
def test_uneven_batch_count_warns_once_about_the_dropped_batch(runs, source):
    ranks, _, _, _ = runs
    for _, results in ranks:
        messages = results["warnings"][source]
        assert len(messages) == 1
        assert "13 batches per epoch do not split evenly over 2 processes" in messages[0]
        assert "each trains on 6 of them and the last 1 are skipped" in messages[0]


def test_generator_of_unknown_length_stops_every_process_together(runs):
    ranks, _, _, _ = runs
    (_, first), (_, second) = ranks
    assert second["warnings"]["generator"] == []  # process 1 ran out first
    assert len(first["warnings"]["generator"]) == 1
    assert "process 0 still had a batch" in first["warnings"]["generator"][0]


def test_shuffled_pydataset_gives_each_process_its_own_batches(runs):
    ranks, _, _, _ = runs
    first, second = (results["shuffled_indices"] for _, results in ranks)
    assert len(first) == len(second) == 12  # 6 per epoch each, 2 epochs
    for epoch in range(2):
        mine, theirs = set(first[6 * epoch:6 * epoch + 6]), set(second[6 * epoch:6 * epoch + 6])
        assert len(mine) == len(theirs) == 6 and not mine & theirs
    assert first[:6] != first[6:]  # reshuffled


def test_evaluate_and_predict_on_per_process_batches_read_everything(runs):
    ranks, (ref_arrays, reference), _, _ = runs
    assert set(reference["source_evaluate"]) == {"loss", "accuracy", "max_abs_error"}
    for arrays, results in ranks:
        for key, value in reference["source_evaluate"].items():
            np.testing.assert_allclose(results["source_evaluate"][key], value, rtol=1e-12)
        assert arrays["source_predictions"].shape == (ROWS, 1)
        np.testing.assert_allclose(arrays["source_predictions"], ref_arrays["source_predictions"],
                                   rtol=1e-12, atol=1e-12)


def test_gan_step_with_two_optimizers_equals_one_process(runs):
    ranks, (reference, _), _, _ = runs
    (first, _), (second, _) = ranks
    assert first["gan_steps"].shape == reference["gan_steps"].shape == (14, 49)
    np.testing.assert_array_equal(first["gan_steps"], second["gan_steps"])
    np.testing.assert_allclose(first["gan_steps"], reference["gan_steps"], rtol=1e-12,
                               atol=1e-12)


def test_unused_weights_name_the_layer_and_the_option(runs):
    ranks, _, _, _ = runs
    for _, results in ranks:
        message = results["unused_error"]
        assert "Layers with unused weights: ['unused_head']" in message
        assert "DataParallel(find_unused_parameters=True)" in message
        assert results["unused_allowed_error"] is None
    np.testing.assert_array_equal(ranks[0][0]["unused_allowed"], ranks[1][0]["unused_allowed"])


def test_processes_with_different_models_get_an_error_naming_the_weight(runs):
    ranks, _, _, _ = runs
    for _, results in ranks:
        message = results["structure_error"]
        assert "The processes built different models" in message
        assert "Weight #0 is 'net/wide/kernel' with shape (5, 4) on process 0 but " \
               "'net/wide/kernel' with shape (5, 5) on process 1" in message


def test_a_process_that_left_turns_a_hang_into_an_error(runs):
    ranks, _, _, _ = runs
    message = ranks[1][1]["lost_peer_error"]
    assert message.startswith("DistributedError: Process 1 of 2 failed in the all-reduce of "
                              "metric states")
    assert "keras.distribution.initialize(timeout=" in message
