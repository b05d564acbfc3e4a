"""Parameter sharding (ZeRO-3, `ShardedDataParallel()`'s default) in the 2 spawned processes
of `sharded_scenarios` (see `parameter_sharding_scenarios`): training equal to `DataParallel`
(float64, 1e-12) and one process (float32, 1e-5) with Embedding, LSTM, Conv2D,
BatchNormalization and a shared Dense layer, penalties and a constraint; each process holds
only its chunk of every weight between steps; evaluate, predict, saving, a custom step,
reads outside a forward pass."""

from __future__ import annotations

import numpy as np
import pytest
from parameter_sharding_scenarios import EPOCHS, N, build, data
from sharded_scenarios import in_float64

import hocsau as keras
from hocsau.distribution import parameter_sharding

STEPS = EPOCHS * -(-N // 16)


def _close(actual, expected, tolerance=1e-12):
    np.testing.assert_allclose(actual, expected, rtol=tolerance, atol=tolerance)


def test_fit_equals_data_parallel_and_one_process(sharded_runs):
    ranks, _, _, _, single = sharded_runs
    for arrays, _ in ranks:
        assert arrays["zero3_zero3"].shape[0] == STEPS
        _close(arrays["zero3_zero3"], arrays["zero3_ddp"])
        _close(arrays["zero3_zero3"], single["steps"])
        _close(arrays["zero3_float32"], single["float32"], 1e-5)
    np.testing.assert_array_equal(ranks[0][0]["zero3_zero3"], ranks[1][0]["zero3_zero3"])


def test_mixed_precision_equals_zero2(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
    for arrays, _ in ranks:
        zero3, zero2 = arrays["zero3_mixed"]
        np.testing.assert_array_equal(zero3, zero2)


def test_custom_train_step_equals_one_process(sharded_runs):
    ranks, _, _, _, single = sharded_runs
    for arrays, _ in ranks:
        _close(arrays["zero3_custom"], single["custom"])
    assert np.abs(single["custom"][-1] - single["custom"][0]).max() > 1e-3  # it trained


def test_constraint_binds_on_the_whole_shared_kernel(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
    model = build(keras)
    index = [w.path for w in model.weights].index("shared/kernel")
    start = sum(w.numel() for w in model.weights[:index])
    kernel = ranks[0][0]["zero3_zero3"][-1, start:start + 25].reshape(5, 5)
    norms = np.linalg.norm(kernel, axis=0)
    np.testing.assert_array_less(norms, 0.3 + 1e-9)  # MaxNorm(0.3) on whole columns
    assert norms.max() > 0.29  # and it binds


def test_each_process_holds_only_its_chunk_between_steps(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
    sizes = ranks[0][1]["zero3"]["sizes"]
    assert len(sizes) == 13  # every trainable weight (the BN statistics stay whole)
    for _, results in ranks:
        assert results["zero3"]["memory"]["held"] == {p: -(-n // 2) for p, n in sizes.items()}
    assert sum(ranks[0][1]["zero3"]["memory"]["held"].values()) < 0.51 * sum(sizes.values())


def test_whole_weights_during_a_step_stay_near_the_largest_layer(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
    for _, results in ranks:
        memory = results["zero3"]["memory"]
        largest, second = sorted(memory["layers"])[-2:][::-1]
        assert sum(memory["layers"]) == sum(results["zero3"]["sizes"].values())
        # one layer gathered for its forward or backward, while autograd may have gathered
        # the next layer's saved weight: never the whole model (590 entries) at once
        assert largest <= memory["peak_whole"] <= largest + second
        assert memory["peak_whole"] < 0.8 * sum(memory["layers"])


def test_evaluate_and_predict_equal_one_process(sharded_runs):
    ranks, _, _, _, single = sharded_runs
    for arrays, results in ranks:
        for key, value in single["evaluate"].items():
            _close(results["zero3"]["evaluate"][key], value)
        _close(arrays["zero3_predict"], single["predict"])


def test_checkpoint_loads_in_one_process(sharded_runs):
    ranks, _, _, tmp, _ = sharded_runs
    with in_float64():
        loaded = keras.saving.load_model(tmp / "zero3.keras")
        predictions = loaded.predict(data()[0], batch_size=16, verbose=0)
    weights = np.concatenate([w.ravel() for w in loaded.get_weights()])
    arrays = ranks[0][0]
    _close(predictions, arrays["zero3_predict"])
    _close(weights, arrays["zero3_zero3"][-1])


def test_tensorboard_histograms_of_the_whole_weights_from_the_chief(sharded_runs):
    from tensorboard.backend.event_processing import event_accumulator

    ranks, _, _, tmp, _ = sharded_runs
    assert sorted(p.name for p in (tmp / "zero3_logs").iterdir()) == ["train"]
    events = event_accumulator.EventAccumulator(str(tmp / "zero3_logs" / "train"),
                                                size_guidance={"histograms": 0})
    events.Reload()
    histograms = events.Histograms("shared/kernel/histogram")
    assert [h.step for h in histograms] == list(range(EPOCHS))
    whole = ranks[0][0]["zero3_zero3"][-1]  # the last step's weights, whole
    model = build(keras)
    index = [w.path for w in model.weights].index("shared/kernel")
    start = sum(w.numel() for w in model.weights[:index])
    last = histograms[-1].histogram_value
    assert last.num == 25  # every entry of the 5x5 kernel, not one process's chunk
    assert last.sum == pytest.approx(whole[start:start + 25].sum(), rel=1e-9)


def test_reading_a_released_weight_is_refused_naming_it(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
    for _, results in ranks:
        found = results["zero3"]
        assert "The weight 'shared/kernel' is parameter-sharded" in found["read_error"]
        assert "whole_weights(model)" in found["read_error"]
        assert found["inside_sum"] == pytest.approx(found["get_sum"], rel=1e-12)


def test_a_step_inside_whole_weights_refills_them(sharded_runs):
    ranks, _, _, _, _ = sharded_runs
    for _, results in ranks:
        assert results["zero3"]["step_inside_changed"] > 1e-4  # seen inside the block
        assert results["zero3"]["step_inside_kept"] == 0.0  # and kept after it


def test_compiled_steps_are_refused_with_parameter_sharding(monkeypatch):
    monkeypatch.setattr(parameter_sharding, "num_processes", lambda: 2)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", jit_compile=True)
    with pytest.raises(ValueError, match="jit_compile=True"):
        parameter_sharding.shard(model, keras.distribution.ShardedDataParallel())
