"""The seed models side by side: a plain PyTorch loop, hocsau, Keras 3 on TensorFlow and Keras 3
on torch, at 1 and 2 threads, taking turns epoch by epoch.

Each round starts a fresh process per runner for a cell (model, thread count); every process
builds its model and warms up untimed on a few batches (the last, partial one included) before
any clock starts. Then the runners take turns: each times one epoch (from Keras's
`on_epoch_begin` to `on_epoch_end`; the loop: the same span of its epoch loop, so the
once-per-`fit` setup is not counted) or one `predict` call while the others wait on a pipe,
the order rotating every turn. On a shared machine the speed of the cores drifts over seconds;
turns a few seconds apart see nearly the same machine, so each ratio to the plain PyTorch loop
is the median over turns of the ratio within a turn.

Prints one markdown table: wall and own-process CPU milliseconds per step (`time.perf_counter`,
`time.process_time`; the median over all timed epochs, with the range of the wall times), the
peak RSS of each process (`ru_maxrss`, median over rounds), and the ratios to the plain loop
(1.00 = the loop; lower is better).

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
import contextlib
import json
import math
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
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


def _warm_rows(case: Case, rows: int) -> int:
    """The untimed warm-up's rows: two batches and the last, partial one (so that a runner
    that compiles per shape has compiled every shape before the clock starts)."""
    return min(rows, 2 * case.batch + rows % case.batch)


class Lockstep:
    """The worker's side of the turns: `begin` waits for the parent's "go" line, `end` answers
    with the epoch's wall and own-process CPU milliseconds per step and the peak RSS so far."""

    def __init__(self, steps: int):
        self.steps, self.start = steps, (0.0, 0.0)

    def begin(self) -> None:
        if not sys.stdin.readline():
            raise SystemExit("the parent closed the turns")
        self.start = time.perf_counter(), time.process_time()

    def end(self) -> None:
        wall, cpu = time.perf_counter() - self.start[0], time.process_time() - self.start[1]
        _say({"wall_ms": 1e3 * wall / self.steps, "cpu_ms": 1e3 * cpu / self.steps,
              "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def _say(record: dict) -> None:
    print(json.dumps(record), flush=True)


def _torch_turns(case: Case, rows: int, epochs: int, threads: int, clock: Lockstep) -> str:
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
    warm = _warm_rows(case, len(xt))
    if case.predict:
        loop.torch_predict(model, xt[:warm], case.batch)
        _say({"ready": f"torch {torch.__version__}"})
        for _ in range(epochs):
            clock.begin()
            loop.torch_predict(model, xt, case.batch)
            clock.end()
    else:  # one call for all epochs, as one `fit`
        loop.torch_fit(model, xt[:warm], yt[:warm], 1, case.batch, *extra)
        _say({"ready": f"torch {torch.__version__}"})
        loop.torch_fit(model, xt, yt, epochs, case.batch, *extra, clock=clock)


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
        if runner.startswith("hocsau"):
            import hocsau  # noqa: F401  first, as a program using it does (hocsau loads torch)
        import torch
        torch.set_num_threads(threads)
        torch.set_num_interop_threads(threads)
        backend = f"torch {torch.__version__}"
    if runner.startswith("hocsau"):
        import hocsau as keras
        return keras, f"hocsau {getattr(keras, '__version__', '')} on {backend}"
    import keras
    return keras, f"keras {keras.__version__} on {backend}"


def _keras_turns(runner: str, case: Case, rows: int, epochs: int, threads: int,
                 clock: Lockstep) -> None:
    import _seed_models as seeds
    keras, versions = _keras_namespace(runner, threads)
    x, y = _data(case, rows)
    model = getattr(seeds, case.model)(keras)
    if runner == "hocsau-jit":
        model.jit_compile = True  # Keras's settable property; the untimed warm-up compiles
    warm = _warm_rows(case, len(x))
    if case.predict:
        model.predict(x[:warm], batch_size=case.batch, verbose=0)
        _say({"ready": versions})
        for _ in range(epochs):
            clock.begin()
            model.predict(x, batch_size=case.batch, verbose=0)
            clock.end()
        return

    class Turns(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            clock.begin()

        def on_epoch_end(self, epoch, logs=None):
            clock.end()

    model.fit(x[:warm], y[:warm], batch_size=case.batch, epochs=1, verbose=0)
    _say({"ready": versions})
    model.fit(x, y, batch_size=case.batch, epochs=epochs, verbose=0, callbacks=[Turns()])


def worker(runner: str, case_name: str, threads: int, rows: int, epochs: int) -> None:
    """Set one cell up and warm it up here, say "ready" with the versions, then time one epoch
    (or `predict` call) each time the parent says "go"; say "finished" once `fit` has returned,
    and wait for the parent to close the turns before exiting, so that neither the end of a
    `fit` nor an exit runs beside another runner's timed epoch."""
    case = CASES[case_name]
    clock = Lockstep(math.ceil(rows / case.batch))
    if runner == "torch":
        _torch_turns(case, rows, epochs, threads, clock)
    else:
        _keras_turns(runner, case, rows, epochs, threads, clock)
    _say({"finished": True})
    sys.stdin.read()


# ---- parent: each round, fresh processes that take turns epoch by epoch; then the table ------

def _thread_env(threads: int, runner: str) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               TF_NUM_INTRAOP_THREADS=str(threads), TF_NUM_INTEROP_THREADS=str(threads),
               TF_CPP_MIN_LOG_LEVEL="2")
    if runner in ("tf", "keras-torch"):
        env.pop("PYTHONPATH", None)  # their venv alone, never hocsau's tree
    return env


class Worker:
    """One runner's process for one cell; its JSON lines come back one `answer` at a time."""

    def __init__(self, python: str, runner: str, case: str, threads: int, rows: int,
                 epochs: int):
        self.errors = tempfile.TemporaryFile("w+")  # TensorFlow may write much; never a pipe
        self.process = subprocess.Popen(
            [python, str(pathlib.Path(__file__).resolve()), "--worker", runner, case,
             str(threads), str(rows), str(epochs)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.errors, text=True, env=_thread_env(threads, runner))

    def answer(self, say: str | None = None) -> dict:
        """Send `say` (a line), then read up to the next JSON line: it, or {"error": ...}."""
        try:
            if say is not None:
                self.process.stdin.write(say + "\n")
                self.process.stdin.flush()
            for line in self.process.stdout:
                if line.startswith("{"):
                    return json.loads(line)
        except (BrokenPipeError, OSError):
            pass
        return {"error": f"failed: {self._last_words()}"}

    def _last_words(self) -> str:
        self.process.wait()
        self.errors.seek(0)
        lines = self.errors.read().strip().splitlines()
        return lines[-1] if lines else f"exit status {self.process.returncode}, no output"

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        self.process.wait()
        self.errors.close()


def run_round(pythons: dict[str, str], runners: list[str], case: str, threads: int, rows: int,
              epochs: int) -> dict[str, list[dict]]:
    """One round of a cell: a fresh process per runner, all set up and warmed up before any
    clock starts; then `epochs` turns in which each runner times one epoch while the others
    wait, in an order that rotates every turn. Returns each runner's epochs, or its error."""
    workers = {r: Worker(pythons[r], r, case, threads, rows, epochs) for r in runners}
    versions, got = {}, {}
    try:
        for runner, process in workers.items():
            ready = process.answer()
            versions[runner] = ready.get("ready")
            got[runner] = [] if versions[runner] else [ready]
        for turn in range(epochs):
            live = [r for r in runners if versions[r] and not any("error" in e for e in got[r])]
            for runner in live[turn % len(live):] + live[:turn % len(live)] if live else []:
                epoch = workers[runner].answer("go")
                if "error" not in epoch and turn == epochs - 1:
                    finished = workers[runner].answer()  # its `fit` has ended: next turn
                    epoch = finished if "error" in finished else epoch
                got[runner].append(epoch if "error" in epoch else
                                   dict(epoch, turn=turn, versions=versions[runner]))
    finally:
        for process in workers.values():
            process.close()
    return got


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
    """results[(case, threads, runner)] = the cell's timed epochs over the rounds (each
    tagged with its round and turn), or its error."""
    results: dict = {}
    runnable = [r for r in args.runners if not pythons[r].startswith("n/a")]
    for round_ in range(args.rounds):
        for threads in args.threads:
            for case in args.models:
                got = run_round(pythons, runnable, case, threads, _rows(args, case), args.epochs)
                for runner, epochs in got.items():
                    results.setdefault((case, threads, runner), []).extend(
                        dict(e, round=round_) for e in epochs)
                    shown = " ".join(e.get("error") or f"{e['wall_ms']:.2f}" for e in epochs)
                    print(f"round {round_ + 1}/{args.rounds}  {threads} thread(s)  {case:8s}"
                          f"{runner:12s} ms/step {shown}", file=sys.stderr, flush=True)
    return results


def _paired_ratio(cell: list[dict], base: list[dict], key: str) -> float | None:
    """The median over turns of this runner's figure / the loop's in the same turn."""
    loop = {(e["round"], e["turn"]): e[key] for e in base if key in e}
    ratios = [e[key] / loop[e["round"], e["turn"]] for e in cell
              if key in e and (e["round"], e["turn"]) in loop]
    return statistics.median(ratios) if ratios else None


def _peak_rss(cell: list[dict]) -> float:
    """The median over rounds of each process's peak RSS."""
    peaks: dict = {}
    for e in cell:
        peaks[e["round"]] = max(peaks.get(e["round"], 0.0), e["rss_mib"])
    return statistics.median(peaks.values())


def _cells(cell: list[dict], base: list[dict] | None) -> list[str]:
    """wall (range), ratio, CPU, ratio, RSS, ratio, for one row of the table."""
    epochs = [e for e in cell if "wall_ms" in e]
    if not epochs:
        return [next(e["error"] for e in cell)] + [""] * 5
    base = [e for e in base or [] if "wall_ms" in e]
    out = []
    for key in ("wall_ms", "cpu_ms"):
        values = [e[key] for e in epochs]
        text = f"{statistics.median(values):.2f}"
        if key == "wall_ms" and len(values) > 1:
            text += f" ({min(values):.2f}-{max(values):.2f})"
        ratio = _paired_ratio(epochs, base, key)
        out += [text, "" if ratio is None else f"{ratio:.2f}"]
    rss = _peak_rss(epochs)
    return out + [f"{rss:.0f}", f"{rss / _peak_rss(base):.2f}" if base else ""]


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
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds of fresh processes (default 2)")
    parser.add_argument("--models", type=lambda s: _csv(s, CASES), default=list(CASES),
                        help=f"comma-separated, of {','.join(CASES)}")
    parser.add_argument("--runners", type=lambda s: _csv(s, RUNNERS),
                        default=list(DEFAULT_RUNNERS),
                        help=f"comma-separated, of {','.join(RUNNERS)} (default all but "
                             "hocsau-jit)")
    parser.add_argument("--threads", type=lambda s: [int(t) for t in s.split(",")],
                        default=None, help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="timed epochs (predict calls) per process, the runners taking "
                             "turns, after an untimed warm-up (default 3; 2 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="a few hundred rows, one round, 1 thread unless --threads")
    parser.add_argument("--make-venvs", metavar="DIR", help="create DIR/tf, DIR/keras-torch")
    parser.add_argument("--venv-tf", metavar="DIR")
    parser.add_argument("--venv-keras-torch", metavar="DIR")
    parser.add_argument("--worker", nargs=5, metavar=("RUNNER", "CASE", "THREADS", "ROWS",
                                                      "EPOCHS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds = 1
    args.threads = args.threads or ([1] if args.quick else [1, 2])
    args.epochs = args.epochs or (2 if args.quick else 3)
    if "torch" not in args.runners:
        args.runners.insert(0, "torch")  # every ratio is to the plain loop
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.worker:
        runner, case, threads, rows, epochs = args.worker
        worker(runner, case, int(threads), int(rows), int(epochs))
        return
    pythons = _pythons(args)
    start = time.perf_counter()
    results = measure(args, pythons)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"machine: {_machine()}; {args.rounds} round(s) of fresh processes taking turns for "
          f"{args.epochs} timed epoch(s) or predict call(s); took "
          f"{time.perf_counter() - start:.0f} s, "
          f"{children.ru_utime + children.ru_stime:.0f} s of CPU")
    print(f"versions: {_versions(results)}\n")
    print(table(args, pythons, results))


if __name__ == "__main__":
    main()
