"""benchmarks/distributed.py: its quick run trains hocsau and the plain DDP loop in every CPU
configuration (1 process, 2 gloo processes under torchrun, 2 threads) and prints the table;
`--cuda` without a GPU says so."""

import os
import pathlib
import subprocess
import sys

import pytest
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "distributed.py"


def _run(*arguments) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run([sys.executable, str(SCRIPT), *arguments], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_quick_run_prints_every_configuration_beside_the_plain_loop():
    lines = _run("--quick").splitlines()
    assert lines[0].startswith("seed 000's LeNet 32x32x1, 1024 rows, global batch 256")
    assert "gloo; best of 1" in lines[0]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[3:6]]
    assert [row[0] for row in rows] == ["1 process x 1 thread", "2 processes x 1 thread",
                                        "1 process x 2 threads"]
    for _, ours, _, loop, _, ratio in rows:
        assert float(ours) > 0 and float(loop) > 0
        assert float(ratio) == pytest.approx(float(ours) / float(loop), abs=0.01)
    assert rows[0][2] == rows[0][4] == "1.00"
    assert [line.split(":")[0] for line in lines[6:]] == [
        "scaling efficiency (2 processes), hocsau", "scaling efficiency (2 processes), torch"]


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present")
def test_cuda_without_a_gpu_says_so():
    assert _run("--cuda").strip() == ("no CUDA device: run without --cuda for the CPU (gloo) "
                                      "figures")
