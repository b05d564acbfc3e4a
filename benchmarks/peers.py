"""The seed models side by side: a plain PyTorch loop, hocsau, Keras 3 on TensorFlow and Keras 3
on torch, each cell in a fresh process, in interleaved rounds, at 1 and 2 threads.

Prints one markdown table: wall and own-process CPU milliseconds per step (`time.perf_counter`,
`time.process_time`), the worker's peak RSS (`ru_maxrss`), and each one's ratio to the plain
PyTorch loop (1.00 = the loop; lower is better); cells are the median over the rounds, with the
range of the wall times when there are several. Each cell first warms up untimed on a few
batches (the last, partial one included), then fit cells time whole epochs from the Keras
callbacks `on_epoch_begin` / `on_epoch_end` (the loop: whole epochs; the once-per-`fit` setup
is not counted) and predict cells time whole `predict` calls.

    python benchmarks/peers.py --make-venvs /tmp/bench-venvs    # build the Keras venvs, run all
    python benchmarks/peers.py --venv-tf DIR --venv-keras-torch DIR --rounds 3
    python benchmarks/peers.py --quick --runners torch,hocsau     # a few seconds
    python benchmarks/peers.py --runners hocsau,hocsau-jit --models mlp   # compiled train step

`hocsau-jit` (not run by default) trains with `jit_compile=True`; its untimed warm-up compiles.

Keras on TensorFlow / on torch run from their own virtual environments (see `_venvs.py`); a
runner without one shows "n/a" and the reason. The worker mode (`--worker`) imports nothing but
the runner's own framework, so that its RSS is that framework's.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

import _venvs

RUNNERS = {"torch": "PyTorch loop", "hocsau": "hocsau", "tf": "Keras 3 on TensorFlow",
           "keras-torch": "Keras 3 on torch", "hocsau-jit": "hocsau, jit_compile=True"}
DEFAULT_RUNNERS = ["torch", "hocsau", "tf", "keras-torch"]  # hocsau-jit on request: it compiles


@dataclass(frozen=True)
class Case:
    title: str
    model: str  # the builder in _seed_models
    rows: int
    quick_rows: int
    batch: int
    predict: bool = False


CASES = {
    "mlp": Case("MLP 784-128-10, softmax + sparse CCE", "mlp", 60_000, 1024, 128),
    "lenet": Case("seed 000's LeNet, 32x32x1", "lenet", 11_000, 512, 256),
    "lstm": Case("seed 000's LSTM spam model, len 150, vocab 1000", "lstm_spam",
                 4_457, 256, 128),
    "predict": Case("LeNet predict", "lenet", 11_000, 2048, 1024, predict=True),
}


# ---- worker: one runner, one case, one thread count, in this process -------------------------

def _data(case: Case, rows: int):
    import _seed_models as seeds
    if case.model == "lstm_spam":
        return seeds.messages(rows)
    return seeds.images(rows, (784,) if case.model == "mlp" else (32, 32, 1))


def _timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _warm_rows(case: Case, rows: int) -> int:
    """The untimed warm-up's rows: two batches and the last, partial one (so that a runner
    that compiles per shape has compiled every shape before the clock starts)."""
    return min(rows, 2 * case.batch + rows % case.batch)


def _torch_spans(case: Case, rows: int, repeats: int, threads: int):
    import _torch_loop as loop
    import torch
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(threads)
    x, y = _data(case, rows)
    model = loop.TorchSpam() if case.model == "lstm_spam" else (
        getattr(loop, f"torch_{case.model}")())
    if case.model == "lenet":  # NCHW, as a PyTorch user keeps images; the NHWC array goes
        x = x.transpose(0, 3, 1, 2).copy()
    xt = torch.from_numpy(x).long() if case.model == "lstm_spam" else torch.from_numpy(x)
    yt = torch.from_numpy(y)
    extra = (loop.BCE, loop.positive) if case.model == "lstm_spam" else ()

    def run(rows: int, epochs: int = 1):
        if case.predict:
            return loop.torch_predict(model, xt[:rows], case.batch)
        return loop.torch_fit(model, xt[:rows], yt[:rows], epochs, case.batch, *extra)

    run(_warm_rows(case, len(xt)))
    if case.predict:
        spans = [_timed(lambda: run(len(xt))) for _ in range(repeats)]
    else:  # one call for all epochs, as one `fit`
        spans = [_timed(lambda: run(len(xt), repeats))]
    return spans, f"torch {torch.__version__}"


def _keras_namespace(runner: str, threads: int):
    """Import the runner's Keras with `threads` intra- and inter-op threads; and its versions."""
    if runner == "tf":
        os.environ["KERAS_BACKEND"] = "tensorflow"
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        backend = f"tensorflow {tf.__version__}"
    else:
        os.environ["KERAS_BACKEND"] = "torch"
        import torch
        torch.set_num_threads(threads)
        torch.set_num_interop_threads(threads)
        backend = f"torch {torch.__version__}"
    if runner.startswith("hocsau"):
        import hocsau as keras
        return keras, f"hocsau {getattr(keras, '__version__', '')} on {backend}"
    import keras
    return keras, f"keras {keras.__version__} on {backend}"


def _keras_spans(keras, case: Case, x, y, repeats: int, jit: bool = False):
    import _seed_models as seeds
    model = getattr(seeds, case.model)(keras)
    if jit:
        model.jit_compile = True  # Keras's settable property; the untimed warm-up compiles
    warm = _warm_rows(case, len(x))
    if case.predict:
        model.predict(x[:warm], batch_size=case.batch, verbose=0)
        return [_timed(lambda: model.predict(x, batch_size=case.batch, verbose=0))
                for _ in range(repeats)]

    class EpochTimer(keras.callbacks.Callback):
        """(wall, CPU) seconds of each epoch."""

        def __init__(self):
            super().__init__()
            self.spans, self.start = [], (0.0, 0.0)

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            self.spans.append((time.perf_counter() - self.start[0],
                               time.process_time() - self.start[1]))

    model.fit(x[:warm], y[:warm], batch_size=case.batch, epochs=1, verbose=0)
    timer = EpochTimer()
    model.fit(x, y, batch_size=case.batch, epochs=repeats, verbose=0, callbacks=[timer])
    return timer.spans


def worker(runner: str, case_name: str, threads: int, rows: int, repeats: int) -> dict:
    """Time one cell here; returns ms/step, CPU ms/step, peak RSS (MiB) and the versions."""
    case = CASES[case_name]
    if runner == "torch":
        spans, versions = _torch_spans(case, rows, repeats, threads)
    else:
        keras, versions = _keras_namespace(runner, threads)
        spans = _keras_spans(keras, case, *_data(case, rows), repeats,
                             jit=runner == "hocsau-jit")
    steps = repeats * math.ceil(rows / case.batch)
    return {"wall_ms": 1e3 * sum(s[0] for s in spans) / steps,
            "cpu_ms": 1e3 * sum(s[1] for s in spans) / steps,
            "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "versions": versions}


# ---- parent: fresh processes in interleaved rounds, then the table ---------------------------

def _thread_env(threads: int, runner: str) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               TF_NUM_INTRAOP_THREADS=str(threads), TF_NUM_INTEROP_THREADS=str(threads),
               TF_CPP_MIN_LOG_LEVEL="2")
    if runner in ("tf", "keras-torch"):
        env.pop("PYTHONPATH", None)  # their venv alone, never hocsau's tree
    return env


def run_worker(python: str, runner: str, case: str, threads: int, rows: int,
               repeats: int) -> dict:
    """One cell in a fresh process: its result, or {"error": the last line it wrote}."""
    command = [python, str(pathlib.Path(__file__).resolve()), "--worker", runner, case,
               str(threads), str(rows), str(repeats)]
    done = subprocess.run(command, capture_output=True, text=True,
                          env=_thread_env(threads, runner))
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        return {"error": f"failed: {tail}"}
    return json.loads(lines[-1])


def _pythons(args) -> dict[str, str]:
    """Each selected runner's interpreter, or the reason ("n/a ...") it cannot run."""
    venvs = {}
    if args.make_venvs:
        venvs.update(_venvs.make_venvs(args.make_venvs))
    venvs.update({k: v for k, v in (("tf", args.venv_tf),
                                    ("keras-torch", args.venv_keras_torch)) if v})
    pythons = {}
    for runner in args.runners:
        if runner in ("torch", "hocsau", "hocsau-jit"):
            pythons[runner] = sys.executable
            continue
        reason = _venvs.unusable_reason(runner, venvs.get(runner))
        pythons[runner] = f"n/a ({reason})" if reason else str(_venvs.python_of(venvs[runner]))
    return pythons


def _rows(args, case: str) -> int:
    return CASES[case].quick_rows if args.quick else CASES[case].rows


def measure(args, pythons: dict[str, str]) -> dict:
    """results[(case, threads, runner)] = the cell's results over the rounds."""
    results: dict = {}
    runnable = [r for r in args.runners if not pythons[r].startswith("n/a")]
    for round_ in range(args.rounds):
        order = runnable[round_ % len(runnable):] + runnable[:round_ % len(runnable)]
        for threads in args.threads:
            for case in args.models:
                rows = _rows(args, case)
                for runner in order:
                    got = run_worker(pythons[runner], runner, case, threads, rows, args.repeats)
                    results.setdefault((case, threads, runner), []).append(got)
                    shown = got.get("error") or (f"{got['wall_ms']:.2f} ms/step, CPU "
                                                 f"{got['cpu_ms']:.2f}, {got['rss_mib']:.0f} MiB")
                    print(f"round {round_ + 1}/{args.rounds}  {threads} thread(s)  {case:8s}"
                          f"{runner:12s} {shown}", file=sys.stderr, flush=True)
    return results


def _median(cell: list[dict], key: str) -> float | None:
    values = [r[key] for r in cell if key in r]
    return statistics.median(values) if values else None


def _cells(cell: list[dict] | None, base: list[dict] | None) -> list[str]:
    """wall (range), ratio, CPU, ratio, RSS, ratio, for one row of the table."""
    out = []
    for key, digits in (("wall_ms", 2), ("cpu_ms", 2), ("rss_mib", 0)):
        value, ref = _median(cell, key), _median(base or [], key)
        if value is None:
            return [next(r["error"] for r in cell)] + [""] * 5
        text = f"{value:.{digits}f}"
        walls = [r["wall_ms"] for r in cell if "wall_ms" in r]
        if key == "wall_ms" and len(walls) > 1:
            text += f" ({min(walls):.2f}-{max(walls):.2f})"
        out += [text, f"{value / ref:.2f}" if ref else ""]
    return out


def table(args, pythons: dict[str, str], results: dict) -> str:
    lines = ["| model (batch) | threads | runner | wall ms/step | vs torch | CPU ms/step "
             "| vs torch | peak RSS MiB | vs torch |", "|---|---|---|---|---|---|---|---|---|"]
    for case in args.models:
        for threads in args.threads:
            for runner in args.runners:
                cell = results.get((case, threads, runner)) or [{"error": pythons[runner]}]
                cells = _cells(cell, results.get((case, threads, "torch")))
                rows = _rows(args, case)
                lines.append(f"| {CASES[case].title}, {rows:,} rows ({CASES[case].batch}) | "
                             f"{threads} | "
                             f"{RUNNERS[runner]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _machine() -> str:
    cpuinfo = pathlib.Path("/proc/cpuinfo")
    names = [line.split(":", 1)[1].strip() for line in
             (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
             if line.startswith("model name")]
    return (f"{names[0] if names else platform.machine()}, {os.cpu_count()} logical CPUs, "
            f"{time.strftime('%Y-%m-%d %H:%M %Z')}")


def _versions(results: dict) -> str:
    seen = {r["versions"] for cell in results.values() for r in cell if "versions" in r}
    return "; ".join(sorted(seen))


def _csv(text: str, allowed) -> list[str]:
    chosen = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in chosen if item not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {unknown}; choose from {sorted(allowed)}")
    return chosen


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (default 2)")
    parser.add_argument("--models", type=lambda s: _csv(s, CASES), default=list(CASES),
                        help=f"comma-separated, of {','.join(CASES)}")
    parser.add_argument("--runners", type=lambda s: _csv(s, RUNNERS),
                        default=list(DEFAULT_RUNNERS),
                        help=f"comma-separated, of {','.join(RUNNERS)} (default all but "
                             "hocsau-jit)")
    parser.add_argument("--threads", type=lambda s: [int(t) for t in s.split(",")],
                        default=None, help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="timed epochs (predict calls) per cell, after an untimed one")
    parser.add_argument("--quick", action="store_true",
                        help="a few hundred rows, one round, 1 thread unless --threads")
    parser.add_argument("--make-venvs", metavar="DIR", help="create DIR/tf, DIR/keras-torch")
    parser.add_argument("--venv-tf", metavar="DIR")
    parser.add_argument("--venv-keras-torch", metavar="DIR")
    parser.add_argument("--worker", nargs=5, metavar=("RUNNER", "CASE", "THREADS", "ROWS",
                                                      "REPEATS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds = 1
    args.threads = args.threads or ([1] if args.quick else [1, 2])
    if "torch" not in args.runners:
        args.runners.insert(0, "torch")  # every ratio is to the plain loop
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.worker:
        runner, case, threads, rows, repeats = args.worker
        print(json.dumps(worker(runner, case, int(threads), int(rows), int(repeats))))
        return
    pythons = _pythons(args)
    start = time.perf_counter()
    results = measure(args, pythons)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"machine: {_machine()}; {args.rounds} round(s), {args.repeats} timed epoch(s) "
          f"or predict call(s) a cell; took {time.perf_counter() - start:.0f} s, "
          f"{children.ru_utime + children.ru_stime:.0f} s of CPU")
    print(f"versions: {_versions(results)}\n")
    print(table(args, pythons, results))


if __name__ == "__main__":
    main()
