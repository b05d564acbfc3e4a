"""`fit` on the CPU keeps freed memory in glibc's heap (no page faults for the next step's
tensors) and trims the heap when it ends."""

import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import hocsau as keras
from hocsau import layers
from hocsau.trainers import cpu_heap


class FakeLibc:
    def __init__(self):
        self.calls = []

    def mallopt(self, option, value):
        self.calls.append(("mallopt", option, value))
        return 1

    def malloc_trim(self, pad):
        self.calls.append(("malloc_trim", pad))
        return 1


@pytest.fixture
def fake_libc(monkeypatch):
    libc = FakeLibc()
    monkeypatch.setitem(cpu_heap._state, "libc", libc)
    monkeypatch.setitem(cpu_heap._state, "tuned", False)
    monkeypatch.delenv("HOCSAU_RETAIN_CPU_HEAP", raising=False)
    return libc


def fit_once():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 3), "float32"), np.zeros((4, 2), "float32"), verbose=0)


def test_fit_on_the_cpu_sets_the_thresholds_once_and_trims_after_each_fit(fake_libc,
                                                                          monkeypatch):
    monkeypatch.setattr(keras.config, "device", lambda: torch.device("cpu"))
    fit_once()
    fit_once()
    assert fake_libc.calls == [("mallopt", cpu_heap.M_MMAP_THRESHOLD, 32 << 20),
                               ("mallopt", cpu_heap.M_TRIM_THRESHOLD, 1 << 30),
                               ("malloc_trim", 0), ("malloc_trim", 0)]


@pytest.mark.parametrize("device, env", [("cuda", None), ("cpu", "0")])
def test_other_devices_and_the_opt_out_leave_malloc_alone(fake_libc, monkeypatch, device, env):
    if env is not None:
        monkeypatch.setenv("HOCSAU_RETAIN_CPU_HEAP", env)
    with cpu_heap.retained_heap(torch.device(device)):
        pass
    assert fake_libc.calls == []


def test_errors_inside_still_trim(fake_libc):
    with pytest.raises(ValueError, match="boom"), cpu_heap.retained_heap("cpu"):
        raise ValueError("boom")
    assert fake_libc.calls[-1] == ("malloc_trim", 0)


STEPS = """
import importlib.util, resource, statistics, sys, torch
spec = importlib.util.spec_from_file_location("cpu_heap", sys.argv[1])  # without all of hocsau
cpu_heap = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cpu_heap)

def step():  # a few activations of 4 MiB, freed at the end as a training step does
    tensors = [torch.ones(1 << 20) for _ in range(4)]
    return sum(float(t[0]) for t in tensors)

faults = []
with cpu_heap.retained_heap(torch.device("cpu")):
    for _ in range(10):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        step()
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(statistics.median(faults))
"""


@pytest.mark.skipif(cpu_heap._glibc() is None, reason="glibc's malloc only")
def test_freed_tensors_come_back_without_page_faults():
    """In a fresh process (glibc's own thresholds adapt to the process's history, so whether
    its default trims depends on what ran before): once the heap has grown, a step takes its
    4 x 1,024 pages back from it instead of faulting them in again."""
    env = {**os.environ, "HOCSAU_RETAIN_CPU_HEAP": "1"}
    out = subprocess.run([sys.executable, "-c", STEPS, cpu_heap.__file__], env=env, check=True,
                         capture_output=True, text=True).stdout
    assert float(out.split()[-1]) < 100
