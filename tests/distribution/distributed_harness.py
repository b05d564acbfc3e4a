"""Spawns 2 processes (gloo, file rendezvous, a join timeout so a hang fails the test), runs
every scenario in them once, and computes the one-process references; `conftest.py` serves
the result as the session fixture `runs`."""

from __future__ import annotations

import datetime
import json
import os
import sys
import time

import distributed_data_scenarios
import distributed_fit_scenarios
import numpy as np
import torch
from spawn_ranks import spawn


def _worker(rank, world, rdzv, out_dir):
    os.environ["OMP_NUM_THREADS"] = "1"
    torch.set_num_threads(1)
    torch.distributed.init_process_group("gloo", init_method=f"file://{rdzv}", rank=rank,
                                         world_size=world,
                                         timeout=datetime.timedelta(seconds=60))
    import hocsau as keras

    keras.config.set_floatx("float64")
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    rank_dir = os.path.join(out_dir, f"rank{rank}")
    os.makedirs(rank_dir, exist_ok=True)
    written: list = []
    sys.addaudithook(_writes_recorder(out_dir, written))
    arrays, results = distributed_fit_scenarios.run(keras, out_dir, rank_dir)
    more_arrays, more_results = distributed_data_scenarios.run(keras, rank)
    arrays.update(more_arrays)
    results.update(more_results)
    results["lost_peer_error"] = _lost_peer(keras, rank, out_dir)
    results["written"] = sorted(set(written))
    np.savez(os.path.join(rank_dir, "arrays.npz"), **arrays)
    with open(os.path.join(rank_dir, "results.json"), "w") as f:
        json.dump(results, f)
    if rank != 0:
        torch.distributed.destroy_process_group()
    # The lost-peer scenario leaves gloo with a vanished peer, whose C++ threads may abort the
    # interpreter's teardown ("terminate called ..."): the results are written, end here.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _writes_recorder(out_dir: str, written: list):
    """An audit hook noting the shared files (not rank*/ or the rendezvous) this process
    opens for writing or renames into place."""
    def shared(path) -> str | None:
        if not isinstance(path, str) or not path.startswith(out_dir):
            return None
        name = os.path.relpath(path, out_dir)
        return None if name.startswith(("rank", "rdzv")) else name

    def hook(event, args):
        if event == "open" and shared(args[0]):
            mode, flags = args[1], args[2]
            if (mode and set(mode) & set("wax+")) or (
                    mode is None and flags & (os.O_WRONLY | os.O_RDWR)):
                written.append(shared(args[0]))
        elif event in ("os.rename", "os.replace") and shared(args[1]):
            written.append(shared(args[1]))

    return hook


def _lost_peer(keras, rank, out_dir):
    """Process 0 leaves the group; process 1's next collective (evaluate's metric sync)
    fails at once instead of hanging, with an error naming the process and collective."""
    ready = os.path.join(out_dir, "rank1_done_with_collectives")
    if rank == 0:  # leave only once process 1 has finished every earlier collective
        deadline = time.monotonic() + 60
        while not os.path.exists(ready) and time.monotonic() < deadline:
            time.sleep(0.05)
        torch.distributed.destroy_process_group()
        return None
    open(ready, "w").close()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    try:
        model.evaluate(np.ones((8, 2)), np.ones((8, 1)), verbose=0)
    except RuntimeError as error:
        return f"{type(error).__name__}: {error}"
    return None


def run_all(tmp_path_factory):
    """(per rank (arrays, results), one-process (arrays, results), spawn dir, reference dir)."""
    tmp = tmp_path_factory.mktemp("dp")
    spawn(_worker, tmp, timeout=150.0)
    ranks = []
    for rank in range(2):
        arrays = dict(np.load(tmp / f"rank{rank}" / "arrays.npz"))
        with open(tmp / f"rank{rank}" / "results.json") as f:
            ranks.append((arrays, json.load(f)))
    import hocsau as keras

    single_dir = tmp_path_factory.mktemp("single")
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        arrays, results = distributed_fit_scenarios.reference(keras, str(single_dir))
        more_arrays, more_results = distributed_data_scenarios.reference(keras)
    finally:
        keras.config.set_floatx(previous)
    return ranks, ({**arrays, **more_arrays}, {**results, **more_results}), tmp, single_dir
