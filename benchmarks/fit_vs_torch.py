"""fit / predict time of a hocsau model against the same model in a hand-written torch loop.

Prints the ratios hocsau / torch (1.00 = no overhead). Run by hand:
`python benchmarks/fit_vs_torch.py`.
Both sides use the same data on the same device, Adam, batch 32, and are timed in one process.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from _timing import best_of, machine_line  # noqa: E402  (benchmarks/ is on sys.path)
from _torch_loop import torch_fit, torch_predict

import hocsau as keras
from hocsau import layers


def build_hocsau(features: int, classes: int):
    model = keras.Sequential([keras.Input(shape=(features,)), layers.Dense(256, activation="relu"),
                              layers.Dense(256, activation="relu"),
                              layers.Dense(classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def build_torch(features: int, classes: int, device):
    return torch.nn.Sequential(torch.nn.Linear(features, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, classes)).to(device)


def time_fit_and_predict(model, reference, x, y, xt, yt, epochs: int, repeats: int):
    """Seconds for hocsau's fit / predict and the torch loop / no_grad inference on the same
    data (batch 32 for training, 256 for inference), after one warm-up epoch each."""
    model.fit(x, y, epochs=1, verbose=0)
    torch_fit(reference, xt, yt, 1, 32)
    fit_h, fit_t = best_of(lambda: model.fit(x, y, batch_size=32, epochs=epochs, verbose=0),
                           lambda: torch_fit(reference, xt, yt, epochs, 32), repeats=repeats)
    pred_h, pred_t = best_of(lambda: model.predict(x, batch_size=256, verbose=0),
                             lambda: torch_predict(reference, xt, 256), repeats=repeats)
    return fit_h, fit_t, pred_h, pred_t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    features, classes = 64, 10
    device = keras.config.device()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.samples, features)).astype("float32")
    y = rng.integers(0, classes, size=args.samples)
    xt, yt = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)

    fit_h, fit_t, pred_h, pred_t = time_fit_and_predict(
        build_hocsau(features, classes), build_torch(features, classes, device), x, y, xt, yt,
        args.epochs, args.repeats)
    print(machine_line(device))
    print(f"MLP fit      hocsau {fit_h:.3f}s  torch {fit_t:.3f}s  ratio {fit_h / fit_t:.2f}")
    print(f"MLP predict  hocsau {pred_h:.3f}s  torch {pred_t:.3f}s  ratio {pred_h / pred_t:.2f}")


if __name__ == "__main__":
    main()
