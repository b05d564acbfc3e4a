"""A stack of 3x3 convolutions at 224x224x3: hocsau (channels_last inputs, as Keras code feeds
them) against the same stack in plain PyTorch, NCHW and channels_last memory format.

Prints forward and forward+backward times and the ratios; a ratio near 1.0 against the faster
PyTorch layout means the channels_last views cost no layout copies.
Run by hand: `python benchmarks/conv_layout.py`.
"""

from __future__ import annotations

import argparse

import torch
from _timing import best_of, machine_line  # noqa: E402  (benchmarks/ is on sys.path)

import hocsau as keras
from hocsau import layers

FILTERS = (32, 32, 64, 64)


def build_hocsau():
    stack = [keras.Input((224, 224, 3))]
    stack += [layers.Conv2D(f, 3, padding="same", activation="relu") for f in FILTERS]
    return keras.Sequential(stack)


def build_torch(device):
    modules, channels = [], 3
    for f in FILTERS:
        modules += [torch.nn.Conv2d(channels, f, 3, padding=1), torch.nn.ReLU()]
        channels = f
    return torch.nn.Sequential(*modules).to(device)


def timings(model, x, repeats: int) -> tuple[float, float]:
    def forward():
        with torch.no_grad():
            model(x)

    def forward_backward():
        model(x).sum().backward()

    forward(), forward_backward()  # warm-up
    return best_of(forward, forward_backward, repeats=repeats)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    device = keras.config.device()
    nhwc = torch.randn(args.batch, 224, 224, 3, device=device)
    nchw = nhwc.permute(0, 3, 1, 2).contiguous()
    reference = build_torch(device)
    results = {"hocsau (NHWC input)": timings(build_hocsau(), nhwc, args.repeats),
               "torch NCHW": timings(reference, nchw, args.repeats),
               "torch channels_last": timings(reference.to(memory_format=torch.channels_last),
                                              nchw.to(memory_format=torch.channels_last),
                                              args.repeats)}
    print(machine_line(device))
    best_forward = min(r[0] for name, r in results.items() if name.startswith("torch"))
    best_both = min(r[1] for name, r in results.items() if name.startswith("torch"))
    for name, (fwd, both) in results.items():
        print(f"{name:22s} forward {fwd:.3f}s  forward+backward {both:.3f}s  "
              f"ratio to best torch {fwd / best_forward:.2f} / {both / best_both:.2f}")


if __name__ == "__main__":
    main()
