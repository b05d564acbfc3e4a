"""fit from a `hocsau.data.Dataset` pipeline (shuffle + map + batch + prefetch over in-memory
images) against fit from the same arrays, for seed 000's LeNet.

Prints the ratio (target <= 1.15: the pipeline keeps the training step fed).
Run by hand: `python benchmarks/input_pipeline.py`.
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import best_of, machine_line  # noqa: E402  (benchmarks/ is on sys.path)
from lenet import build_hocsau  # noqa: E402

import hocsau as keras
from hocsau.data import AUTOTUNE, Dataset


def scale(image, label):
    return image * np.float32(1.0 / 255.0), label


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (args.samples, 32, 32, 1)).astype("float32")
    y = rng.integers(0, 10, size=args.samples)
    pipeline = (Dataset.from_tensor_slices((x, y)).shuffle(1024, seed=0)
                .map(scale, num_parallel_calls=AUTOTUNE).batch(32).prefetch(AUTOTUNE))
    scaled = x / 255.0
    model = build_hocsau()
    model.fit(scaled, y, epochs=1, verbose=0)  # warm-up
    arrays, dataset = best_of(
        lambda: model.fit(scaled, y, batch_size=32, epochs=args.epochs, verbose=0),
        lambda: model.fit(pipeline, epochs=args.epochs, verbose=0), repeats=args.repeats)
    print(machine_line(keras.config.device()))
    print(f"LeNet fit  Dataset {dataset:.3f}s  arrays {arrays:.3f}s  ratio "
          f"{dataset / arrays:.2f} (target <= 1.15)")


if __name__ == "__main__":
    main()
