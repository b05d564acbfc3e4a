"""Findings 2 and 9 under random damage: a seeded mutation fuzz of `.keras`, `.weights.h5`
and TF-Keras `.h5` files (fuzz_worker.py, in a subprocess so that a hang or a crash inside
libhdf5 cannot stop the run). Every case must end within CASE_TIMEOUT_S as a ValueError
naming the file, a detected checksum mismatch, or a load; only the formats without checksums
may load changed weights (docs/security.md)."""

import collections
import json
import os
import selectors
import subprocess
import sys

SEED = 20261207
CASES_PER_FORMAT = 100
CASE_TIMEOUT_S = 10
WORKER = os.path.join(os.path.dirname(__file__), "fuzz_worker.py")


def _run_worker(folder):
    """The worker's results; fails on a case that runs past the timeout or a crash."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    child = subprocess.Popen([sys.executable, WORKER, str(folder), str(SEED),
                              str(CASES_PER_FORMAT)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    results, started = [], "set-up"
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        while True:
            if not selector.select(timeout=CASE_TIMEOUT_S + (60 if started == "set-up" else 0)):
                child.kill()
                child.wait()
                raise AssertionError(f"fuzz case {started} ran for over {CASE_TIMEOUT_S} s")
            line = child.stdout.readline()
            if not line:
                break
            record = json.loads(line)
            if "start" in record:
                started = record["start"]
            else:
                results.append(record)
    stderr = child.stderr.read()
    assert child.wait() == 0, f"the worker died in case {started}: {stderr[-2000:]}"
    child.stdout.close()
    child.stderr.close()
    return results


def test_mutated_files_fail_cleanly_or_load(tmp_path):
    results = _run_worker(tmp_path)
    assert len(results) == 3 * CASES_PER_FORMAT
    counts = collections.Counter((r["format"], r["outcome"]) for r in results)
    bad = [r for r in results if r["outcome"] == "bad"]
    assert not bad, bad[:5]
    assert counts[(".keras", "changed")] == 0
    # Damage inside the archive's entries (repacked, so zip's CRC32 agrees) is caught by the
    # recorded SHA-256 of each entry.
    assert counts[(".keras", "checksum")] >= CASES_PER_FORMAT // 2 - 5
    for fmt in (".keras", ".weights.h5", ".h5"):
        assert counts[(fmt, "error")] > 0 and counts[(fmt, "same")] > 0
