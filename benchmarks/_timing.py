"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import platform
import time

import torch


def best_of(*fns, repeats: int):
    """The fastest of `repeats` runs of each function, in seconds (the GPU synchronized after
    each): one number for one function, else a list. The functions take turns (a, b, a, b, ...)
    so that a change in the machine's load reaches all of them alike."""
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, spent in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            spent.append(time.perf_counter() - start)
    best = [min(spent) for spent in times]
    return best[0] if len(fns) == 1 else best


def machine_line(device) -> str:
    """What the figures came from: CPU or GPU model, device, torch build and threads."""
    name = torch.cuda.get_device_name() if torch.cuda.is_available() else (
        platform.processor() or platform.machine())
    return (f"machine: {name}, device: {device}, torch {torch.__version__}, "
            f"threads {torch.get_num_threads()}")
