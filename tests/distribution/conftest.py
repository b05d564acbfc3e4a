"""The 2-process runs shared by this folder's tests (each spawned once per session)."""

from __future__ import annotations

import pytest
from distributed_harness import run_all
from sharded_scenarios import run_all as run_sharded


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    return run_all(tmp_path_factory)


@pytest.fixture(scope="session")
def sharded_runs(tmp_path_factory):
    """The ShardedDataParallel / ModelParallel processes' results (spawned once)."""
    return run_sharded(tmp_path_factory)
