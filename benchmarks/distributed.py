"""Data-parallel scaling: samples/s of `fit` for 1 process x 1 thread, 2 processes x 1 thread
(DDP over gloo, launched by torchrun) and 1 process x 2 threads, at the same global batch.

    python benchmarks/distributed.py [--repeats 3] [--epochs 2]

Each configuration runs in fresh processes, the configurations taking turns; the best run of
each is kept. Efficiency = samples/s of 2 processes / (2 x samples/s of 1 process x 1 thread).
Each process is pinned to one core when the machine allows it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

ROWS, BATCH = 4096, 256


def _worker(epochs: int) -> None:
    import time

    import numpy as np
    import torch

    import hocsau as keras

    rank = int(os.environ.get("LOCAL_RANK", "0"))
    if hasattr(os, "sched_setaffinity") and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        os.sched_setaffinity(0, {rank % os.cpu_count()})
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    rng = np.random.default_rng(0)
    x = rng.random((ROWS, 32, 32, 1), dtype="float32")
    y = rng.integers(0, 10, ROWS)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([  # seed 000's LeNet
        keras.Input((32, 32, 1)),
        keras.layers.Conv2D(6, 5, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(16, 5, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(), keras.layers.Dense(120, activation="relu"),
        keras.layers.Dense(84, activation="relu"), keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0)
    spent = time.perf_counter() - start
    if keras.distribution.process_id() == 0:
        print(json.dumps({"samples_per_s": ROWS * epochs / spent, "threads":
                          torch.get_num_threads(),
                          "processes": keras.distribution.num_processes()}))


def _run(processes: int, threads: int, epochs: int) -> float:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), HOCSAU_DEVICE="cpu")
    script = [os.path.abspath(__file__), "--worker", "--epochs", str(epochs)]
    if processes == 1:
        command = [sys.executable, *script]
    else:
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                   f"--nproc_per_node={processes}", *script]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600,
                          check=True)
    line = [row for row in done.stdout.splitlines() if row.startswith("{")][-1]
    return json.loads(line)["samples_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.worker:
        _worker(args.epochs)
        return
    configs = {"1 process x 1 thread": (1, 1), "2 processes x 1 thread": (2, 1),
               "1 process x 2 threads": (1, 2)}
    best = dict.fromkeys(configs, 0.0)
    for _ in range(args.repeats):
        for name, (processes, threads) in configs.items():
            best[name] = max(best[name], _run(processes, threads, args.epochs))
    import torch

    print(f"LeNet 32x32x1, {ROWS} rows, global batch {BATCH}, torch {torch.__version__}, "
          f"{os.cpu_count()} CPUs, gloo; best of {args.repeats}")
    base = best["1 process x 1 thread"]
    for name, value in best.items():
        print(f"{name:24s} {value:9.0f} samples/s  speed-up {value / base:.2f}")
    print(f"scaling efficiency (2 processes): {best['2 processes x 1 thread'] / (2 * base):.2f}")


if __name__ == "__main__":
    main()
