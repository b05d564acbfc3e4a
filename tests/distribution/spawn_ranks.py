"""Start `world` spawned processes running `worker(rank, world, rdzv_file, out_dir)` and turn a
hang into a test failure (the distributed tests' shared harness)."""

from __future__ import annotations

import datetime
import os
import time

import pytest
import torch
import torch.multiprocessing as mp


def spawn(worker, tmp_path, world: int = 2, timeout: float = 120.0) -> None:
    """Run `worker` in `world` processes (file rendezvous under `tmp_path`); fail the test
    when they have not all finished after `timeout` seconds, or when one of them failed."""
    context = mp.start_processes(worker, args=(world, str(tmp_path / "rdzv"), str(tmp_path)),
                                 nprocs=world, join=False, start_method="spawn")
    deadline = time.monotonic() + timeout
    while not context.join(timeout=1.0):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            pytest.fail(f"the {world} processes did not finish in {timeout} s (a hang)")


def join_group(rank: int, world: int, rdzv: str) -> None:
    """In a spawned process: one thread, then join the gloo group (60 s collective timeout)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    torch.set_num_threads(1)
    torch.distributed.init_process_group("gloo", init_method=f"file://{rdzv}", rank=rank,
                                         world_size=world,
                                         timeout=datetime.timedelta(seconds=60))
