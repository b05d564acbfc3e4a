"""Seed 000's LSTM spam model: hocsau fit against the same model in a hand-written torch loop,
and a masked (padded, mask_zero) batch against an unmasked one.

Prints fit hocsau / torch (target <= 1.10) and masked / unmasked step time (target <= 1.5).
Run by hand: `python benchmarks/lstm_spam.py`. Both sides use the same data on the same device,
Adam, batch 128 (the tutorial's), and are timed in one process.
"""

from __future__ import annotations

import argparse

import torch
from _seed_models import lstm_spam, messages
from _timing import best_of, machine_line  # noqa: E402  (benchmarks/ is on sys.path)
from _torch_loop import BCE, TorchSpam, positive, torch_fit

import hocsau as keras


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    device = keras.config.device()
    x, y = messages(args.samples)
    xt, yt = torch.from_numpy(x).long().to(device), torch.from_numpy(y).to(device)

    model, masked = lstm_spam(keras), lstm_spam(keras, mask_zero=True)
    reference = TorchSpam().to(device)
    for warm in (lambda: model.fit(x, y, batch_size=128, epochs=1, verbose=0),
                 lambda: masked.fit(x, y, batch_size=128, epochs=1, verbose=0),
                 lambda: torch_fit(reference, xt, yt, 1, 128, BCE, positive)):
        warm()
    fit = lambda m: lambda: m.fit(x, y, batch_size=128, epochs=args.epochs, verbose=0)  # noqa
    fit_h, fit_t, fit_m = best_of(fit(model),
                                  lambda: torch_fit(reference, xt, yt, args.epochs, 128,
                                                    BCE, positive),
                                  fit(masked), repeats=args.repeats)
    print(machine_line(device))
    print(f"LSTM spam fit        hocsau {fit_h:.3f}s  torch {fit_t:.3f}s  "
          f"ratio {fit_h / fit_t:.2f} (target <= 1.10)")
    print(f"masked vs unmasked   masked {fit_m:.3f}s  unmasked {fit_h:.3f}s  "
          f"ratio {fit_m / fit_h:.2f} (target <= 1.50)")


if __name__ == "__main__":
    main()
