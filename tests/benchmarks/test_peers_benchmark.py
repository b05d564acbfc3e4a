"""benchmarks/peers.py: its quick run prints one well-formed table, and a runner without its
virtual environment shows "n/a" with the reason instead of failing."""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"


@pytest.fixture
def peers(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import peers as module
    return module


def _rows(table: str) -> list[list[str]]:
    lines = [line for line in table.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_quick_run_prints_one_row_per_runner():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run([sys.executable, str(BENCHMARKS / "peers.py"), "--quick", "--models",
                           "mlp", "--runners", "torch,hocsau"], capture_output=True, text=True,
                          env=env, timeout=300, check=True)
    header, separator, *rows = _rows(done.stdout)
    assert header == ["model (batch)", "threads", "runner", "wall ms/step", "vs torch",
                      "CPU ms/step", "vs torch", "peak RSS MiB", "vs torch"]
    assert set(separator) == {"---"}
    assert [row[2] for row in rows] == ["PyTorch loop", "hocsau"]
    for row in rows:
        assert row[0] == "MLP 784-128-10, softmax + sparse CCE, 1,024 rows (128)"
        assert row[1] == "1"
        assert all(float(cell) > 0 for cell in row[3:])
    assert rows[0][4] == rows[0][6] == rows[0][8] == "1.00"
    assert "versions: " in done.stdout and "hocsau" in done.stdout


def test_runner_without_venv_is_shown_as_not_available(peers):
    args = peers.parse_args(["--quick", "--models", "lenet", "--runners", "hocsau,tf,keras-torch",
                             "--venv-keras-torch", "/nonexistent/venv"])
    assert args.runners == ["torch", "hocsau", "tf", "keras-torch"]
    pythons = peers._pythons(args)
    assert pythons["tf"] == "n/a (no --venv-tf or --make-venvs given)"
    assert pythons["keras-torch"] == "n/a (no Python in /nonexistent/venv)"
    result = {"wall_ms": 2.0, "cpu_ms": 1.0, "rss_mib": 300.0, "versions": "torch"}
    results = {("lenet", 1, "torch"): [result],
               ("lenet", 1, "hocsau"): [dict(result, wall_ms=3.0), dict(result, wall_ms=1.0)]}
    rows = _rows(peers.table(args, pythons, results))[2:]
    assert [row[2:] for row in rows] == [
        ["PyTorch loop", "2.00", "1.00", "1.00", "1.00", "300", "1.00"],
        ["hocsau", "2.00 (1.00-3.00)", "1.00", "1.00", "1.00", "300", "1.00"],
        ["Keras 3 on TensorFlow", "n/a (no --venv-tf or --make-venvs given)"] + [""] * 5,
        ["Keras 3 on torch", "n/a (no Python in /nonexistent/venv)"] + [""] * 5]


def test_unknown_runner_names_the_choices(peers, capsys):
    with pytest.raises(SystemExit):
        peers.parse_args(["--runners", "jax"])
    assert "unknown ['jax']; choose from" in capsys.readouterr().err


def test_gpu_benchmark_without_cuda_says_so_and_succeeds(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import gpu
    monkeypatch.setattr(gpu.torch.cuda, "is_available", lambda: False)
    assert gpu.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("no CUDA device: torch ") and "sees no GPU" in out


def test_the_compiled_runner_runs_on_request_only(peers):
    assert "hocsau-jit" not in peers.parse_args([]).runners
    args = peers.parse_args(["--runners", "hocsau,hocsau-jit"])
    assert args.runners == ["torch", "hocsau", "hocsau-jit"]
    assert peers._pythons(args)["hocsau-jit"] == sys.executable
    assert peers.RUNNERS["hocsau-jit"] == "hocsau, jit_compile=True"
