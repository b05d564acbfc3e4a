"""benchmarks/peers.py: its quick run prints one well-formed table, ratios pair each epoch with
the loop's epoch of the same turn, and a runner without its virtual environment shows "n/a"
with the reason instead of failing."""

import os
import pathlib
import re
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
        assert re.fullmatch(r"\d+\.\d\d \(\d+\.\d\d-\d+\.\d\d\)", row[3])  # 2 epochs
        assert all(float(cell) > 0 for cell in row[4:])
    assert rows[0][4] == rows[0][6] == rows[0][8] == "1.00"
    assert "versions: " in done.stdout and "hocsau" in done.stdout


def test_runner_without_venv_is_shown_as_not_available(peers):
    args = peers.parse_args(["--quick", "--models", "lenet", "--runners", "hocsau,tf,keras-torch",
                             "--venv-keras-torch", "/nonexistent/venv"])
    assert args.runners == ["torch", "hocsau", "tf", "keras-torch"]
    pythons = peers._pythons(args)
    assert pythons["tf"] == "n/a (no --venv-tf or --make-venvs given)"
    assert pythons["keras-torch"] == "n/a (no Python in /nonexistent/venv)"
    def epoch(round_, turn, wall, rss=300.0):
        return {"wall_ms": wall, "cpu_ms": 1.0, "rss_mib": rss, "versions": "torch",
                "round": round_, "turn": turn}

    # hocsau is twice as slow as the loop in the first turn and as fast in the second: the
    # ratio pairs each turn with the loop's own, so the loop's slow turn does not hide that
    results = {("lenet", 1, "torch"): [epoch(0, 0, 2.0), epoch(0, 1, 4.0)],
               ("lenet", 1, "hocsau"): [epoch(0, 0, 4.0, 250.0), epoch(0, 1, 4.0, 330.0)]}
    rows = _rows(peers.table(args, pythons, results))[2:]
    assert [row[2:] for row in rows] == [
        ["PyTorch loop", "3.00 (2.00-4.00)", "1.00", "1.00", "1.00", "300", "1.00"],
        ["hocsau", "4.00 (4.00-4.00)", "1.50", "1.00", "1.00", "330", "1.10"],
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
