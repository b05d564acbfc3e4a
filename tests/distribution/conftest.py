"""The 2-process run shared by this folder's tests (spawned once per session)."""

from __future__ import annotations

import pytest
from distributed_harness import run_all


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    return run_all(tmp_path_factory)
