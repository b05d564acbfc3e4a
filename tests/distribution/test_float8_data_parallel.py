"""Float8 layers under `DataParallel` (built-in and custom steps) and `ShardedDataParallel` in
2 spawned processes: their scales and amax histories (trainable, overwritten with their
gradients, averaged over the processes like the other gradients) train without errors, stay
equal on both processes and equal between the three ways."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch
from distributed_fit_scenarios import custom_step_class
from spawn_ranks import join_group, spawn

KINDS = ("DataParallel", "ShardedDataParallel", "CustomStep")


def _fit(keras, kind: str) -> np.ndarray:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 6)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    keras.utils.set_random_seed(1)
    custom = kind == "CustomStep"
    base = custom_step_class(keras, keras.Sequential) if custom else keras.Sequential
    with getattr(keras.distribution, "DataParallel" if custom else kind)().scope():
        model = base([keras.Input((6,)), keras.layers.Dense(4, activation="relu"),
                      keras.layers.Dense(2)])
        model.quantize("float8")
        model.compile(keras.optimizers.Adam(0.01), "mse")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return {w.path: w.numpy() for w in model.weights}


def _worker(rank, world, rdzv, out_dir):
    join_group(rank, world, rdzv)
    import hocsau as keras

    weights = {f"{kind}:{path}": value for kind in KINDS
               for path, value in _fit(keras, kind).items()}
    np.savez(os.path.join(out_dir, f"float8_{rank}.npz"), **weights)
    torch.distributed.destroy_process_group()
    # as the shared harness: the results are written; gloo's threads may abort the
    # interpreter's teardown ("terminate called ...")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("float8")
    spawn(_worker, tmp)
    return [dict(np.load(tmp / f"float8_{rank}.npz")) for rank in range(2)]


def _of(weights: dict, kind: str) -> dict:
    return {key.split(":", 1)[1]: value for key, value in weights.items()
            if key.startswith(kind + ":")}


@pytest.mark.parametrize("kind", KINDS)
def test_float8_scales_train_in_step_on_both_processes(ranks, kind):
    first, second = _of(ranks[0], kind), _of(ranks[1], kind)
    assert sorted(first) == sorted(second)
    for path, value in first.items():
        assert np.isfinite(value).all(), path
        np.testing.assert_array_equal(value, second[path], err_msg=path)
    scales = [path for path in first if path.endswith("kernel_scale")]
    assert len(scales) == 2 and all(first[path] != 1.0 for path in scales)


@pytest.mark.parametrize("kind", ["ShardedDataParallel", "CustomStep"])
def test_float8_fit_equals_data_parallel(ranks, kind):
    ours, replicated = _of(ranks[0], kind), _of(ranks[0], "DataParallel")
    assert len(ours) == len(replicated) == 16
    for (path, value), expected in zip(ours.items(), replicated.values(), strict=True):
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6, err_msg=path)
