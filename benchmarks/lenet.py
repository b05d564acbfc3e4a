"""Seed 000's LeNet (no BatchNormalization): hocsau fit / predict against the same network in a
hand-written PyTorch loop.

Prints fit hocsau / torch (target <= 1.10) and predict / torch inference (target <= 1.05).
Run by hand: `python benchmarks/lenet.py`. Both sides train with Adam on the same 32x32 images
(channels_last for hocsau, NCHW for torch, as each user would write them), batch 32.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from _seed_models import images, lenet
from _timing import machine_line  # noqa: E402  (benchmarks/ is on sys.path)
from _torch_loop import torch_lenet
from fit_vs_torch import time_fit_and_predict  # noqa: E402  (the same loop and timing)

import hocsau as keras


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    device = keras.config.device()
    x, y = images(args.samples, (32, 32, 1))
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).to(device)
    yt = torch.from_numpy(y).to(device)

    fit_h, fit_t, pred_h, pred_t = time_fit_and_predict(
        lenet(keras), torch_lenet().to(device), x, y, xt, yt, args.epochs, args.repeats)
    print(machine_line(device))
    print(f"LeNet fit      hocsau {fit_h:.3f}s  torch {fit_t:.3f}s  ratio {fit_h / fit_t:.2f} "
          "(target <= 1.10)")
    print(f"LeNet predict  hocsau {pred_h:.3f}s  torch {pred_t:.3f}s  ratio "
          f"{pred_h / pred_t:.2f} (target <= 1.05)")


if __name__ == "__main__":
    main()
