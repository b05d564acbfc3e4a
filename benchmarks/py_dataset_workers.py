"""fit from a `PyDataset` whose `__getitem__` is CPU-bound Python (it holds the GIL, like
augmentation or image decoding): in the loop, with 2 threads, with 2 processes.

Prints seconds per epoch and the speed-up of processes over the loop (expected close to 2 on a
machine with 2 free cores; threads cannot beat the loop here).
Run by hand: `python benchmarks/py_dataset_workers.py`.
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import best_of, machine_line  # noqa: E402  (benchmarks/ is on sys.path)

import hocsau as keras
from hocsau import config, layers


class PythonHeavy(keras.utils.PyDataset):
    """Batches of 32 rows, each costing `work` iterations of a pure-Python loop."""

    def __init__(self, batches: int, work: int, **kwargs):
        super().__init__(**kwargs)
        self.batches, self.work = batches, work

    def __len__(self):
        return self.batches

    def __getitem__(self, index):
        total = 0
        for i in range(self.work):
            total += (i * index) % 7
        x = np.full((32, 8), total % 5, "float32")
        return x, x[:, :1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=32)
    parser.add_argument("--work", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    model = keras.Sequential([keras.Input((8,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")

    def fit(**loader):
        return lambda: model.fit(PythonHeavy(args.batches, args.work, **loader), verbose=0)

    fit()()  # warm-up
    loop, threads, processes = best_of(
        fit(), fit(workers=2), fit(workers=2, use_multiprocessing=True), repeats=args.repeats)
    print(machine_line(config.device()))
    print(f"loop {loop:.2f} s, 2 threads {threads:.2f} s, 2 processes {processes:.2f} s per "
          f"epoch; processes / loop speed-up {loop / processes:.2f}x")


if __name__ == "__main__":
    main()
