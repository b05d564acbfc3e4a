"""Where seed 000's LeNet spends its training time: torch.profiler's self CPU time per step of
each aten op (by input shapes), hocsau's `fit` beside the plain PyTorch loop, one epoch each.

    python benchmarks/lenet_ops.py --threads 1 --rounds 2 --top 20

Each round profiles one epoch of each side, in turns, after an untimed warm-up epoch; the cells
list every round's figure (ms per step), so a change in the machine's load shows as a spread.
An op one side does not run shows "-". Also prints the own-process CPU time of each epoch.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from _seed_models import images, lenet
from _torch_loop import torch_fit, torch_lenet
from torch.profiler import ProfilerActivity, profile

import hocsau as keras

ROWS, BATCH = 11_000, 256


def profiled(fn, steps: int, table: dict, side: str) -> float:
    """Run `fn` under the profiler; add each op's self CPU ms per step to `table`; return the
    own-process CPU seconds of the run."""
    start = time.process_time()
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        fn()
    spent = time.process_time() - start
    for event in prof.key_averages(group_by_input_shape=True):
        if event.count >= steps - 2:  # once (or a few times) a step: the model's own ops
            key = (event.key, str(event.input_shapes)[:56])
            cells = table.setdefault(key, {"hocsau": [], "torch": []})
            cells[side].append(event.self_cpu_time_total / 1000 / steps)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    x, y = images(ROWS, (32, 32, 1))
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    yt = torch.from_numpy(y)
    model, reference = lenet(keras), torch_lenet()
    sides = {"hocsau": lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0),
             "torch": lambda: torch_fit(reference, xt, yt, 1, BATCH)}
    for run in sides.values():
        run()
    steps, table = -(-ROWS // BATCH), {}
    cpu = {side: [] for side in sides}
    for _ in range(args.rounds):
        for side, run in sides.items():
            cpu[side].append(profiled(run, steps, table, side))
    rows = sorted(table.items(), key=lambda kv: -max(sum(v) / len(v) for v in kv[1].values()
                                                    if v))
    print(f"threads {args.threads}; ms per step, one figure a round")
    for (name, shapes), cells in rows[:args.top]:
        shown = ["/".join(f"{ms:.2f}" for ms in cells[side]) or "-" for side in sides]
        print(f"{name[:36]:36s} {shapes:56s} hocsau {shown[0]:14s} torch {shown[1]}")
    for side, spent in cpu.items():
        print(f"{side}: own-process CPU s per epoch (profiled) "
              + " ".join(f"{s:.3f}" for s in spent))


if __name__ == "__main__":
    main()
