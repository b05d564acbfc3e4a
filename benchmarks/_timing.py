"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import platform
import time

import torch


def best_of(fn, repeats: int) -> float:
    """The fastest of `repeats` runs of `fn`, in seconds (the GPU synchronized after each)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return min(times)


def machine_line(device) -> str:
    """What the figures came from: CPU or GPU model, device, torch build and threads."""
    name = torch.cuda.get_device_name() if torch.cuda.is_available() else (
        platform.processor() or platform.machine())
    return (f"machine: {name}, device: {device}, torch {torch.__version__}, "
            f"threads {torch.get_num_threads()}")
