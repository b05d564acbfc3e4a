"""Seed 000's LSTM spam model: hocsau fit against the same model in a hand-written torch loop,
and a masked (padded, mask_zero) batch against an unmasked one.

Prints fit hocsau / torch (target <= 1.10) and masked / unmasked step time (target <= 1.5).
Run by hand: `python benchmarks/lstm_spam.py`. Both sides use the same data on the same device,
Adam, batch 128 (the tutorial's), and are timed in one process.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from _timing import best_of, machine_line  # noqa: E402  (benchmarks/ is on sys.path)
from fit_vs_torch import torch_fit  # noqa: E402  (the same hand-written loop)

import hocsau as keras
from hocsau import layers

VOCAB, EMBED, MAX_LEN, UNITS, DENSE = 1000, 100, 150, 64, 64


def build_hocsau(mask_zero: bool = False):
    """Seed 000's `RNN_Dense` with its default sizes."""
    inputs = keras.Input(shape=[MAX_LEN])
    x = layers.Embedding(VOCAB, EMBED, mask_zero=mask_zero)(inputs)
    x = layers.LSTM(UNITS)(x)
    x = layers.Dropout(0.5)(layers.Activation("relu")(layers.Dense(DENSE)(x)))
    outputs = layers.Activation("sigmoid")(layers.Dense(1)(x))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


class TorchSpam(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(VOCAB, EMBED)
        self.lstm = torch.nn.LSTM(EMBED, UNITS, batch_first=True)
        self.head = torch.nn.Sequential(torch.nn.Linear(UNITS, DENSE), torch.nn.ReLU(),
                                        torch.nn.Dropout(0.5), torch.nn.Linear(DENSE, 1))

    def forward(self, ids):
        _, (h, _) = self.lstm(self.embedding(ids))
        return self.head(h[0])[:, 0]


BCE = torch.nn.BCEWithLogitsLoss()


def _positive(logits: torch.Tensor) -> torch.Tensor:
    return (logits > 0).float()


def padded_ids(rng, samples: int) -> np.ndarray:
    """Messages of 10..MAX_LEN tokens, pre-padded as pad_sequences does."""
    docs = [rng.integers(1, VOCAB, size=int(rng.integers(10, MAX_LEN + 1)))
            for _ in range(samples)]
    return keras.utils.pad_sequences(docs, maxlen=MAX_LEN)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    device = keras.config.device()
    rng = np.random.default_rng(0)
    x = padded_ids(rng, args.samples)
    y = rng.integers(0, 2, size=args.samples).astype("float32")
    xt, yt = torch.from_numpy(x).long().to(device), torch.from_numpy(y).to(device)

    model, masked = build_hocsau(), build_hocsau(mask_zero=True)
    reference = TorchSpam().to(device)
    for warm in (lambda: model.fit(x, y, batch_size=128, epochs=1, verbose=0),
                 lambda: masked.fit(x, y, batch_size=128, epochs=1, verbose=0),
                 lambda: torch_fit(reference, xt, yt, 1, 128, BCE, _positive)):
        warm()
    fit = lambda m: lambda: m.fit(x, y, batch_size=128, epochs=args.epochs, verbose=0)  # noqa
    fit_h, fit_t, fit_m = best_of(fit(model),
                                  lambda: torch_fit(reference, xt, yt, args.epochs, 128,
                                                    BCE, _positive),
                                  fit(masked), repeats=args.repeats)
    print(machine_line(device))
    print(f"LSTM spam fit        hocsau {fit_h:.3f}s  torch {fit_t:.3f}s  "
          f"ratio {fit_h / fit_t:.2f} (target <= 1.10)")
    print(f"masked vs unmasked   masked {fit_m:.3f}s  unmasked {fit_h:.3f}s  "
          f"ratio {fit_m / fit_h:.2f} (target <= 1.50)")


if __name__ == "__main__":
    main()
