"""`hocsau._openmp_spin`: libgomp's idle threads spin ~1 ms, set before torch loads and never
over the user's own OpenMP setting."""

import os
import subprocess
import sys

from hocsau import _openmp_spin


def test_set_before_torch_loads():
    environ = {}
    assert _openmp_spin.shorten_spin(environ, modules={})
    assert environ == {"GOMP_SPINCOUNT": "30000"}


def test_too_late_once_torch_is_loaded():
    environ = {}
    assert not _openmp_spin.shorten_spin(environ, modules={"torch": object()})
    assert environ == {}


def test_the_users_setting_wins():
    for name, value in (("GOMP_SPINCOUNT", "0"), ("OMP_WAIT_POLICY", "active")):
        environ = {name: value}
        assert not _openmp_spin.shorten_spin(environ, modules={})
        assert environ == {name: value}


def _spin_count_after(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    done = subprocess.run([sys.executable, "-c", code + "\nimport os\n"
                           "print(os.environ.get('GOMP_SPINCOUNT'))"],
                          capture_output=True, text=True, env=env, check=True, timeout=120)
    return done.stdout.split()[-1]


def test_importing_hocsau_first_sets_it_for_torch():
    assert _spin_count_after("import hocsau") == "30000"
    assert _spin_count_after("import torch\nimport hocsau") == "None"
