"""Shared plumbing of the image ops: argument checks and the (batch, H, W, C) working layout."""

from __future__ import annotations

import torch

from hocsau.ops._convert import tensor
from hocsau.ops.nn_conv import data_format_of


class Layout:
    """Images brought to a `(batch, height, width, channels)` tensor, and back.

    Args:
        images: a rank-3 (single image) or rank-4 (batch) tensor.
        data_format: 'channels_last', 'channels_first' or None (the configured default).
    """

    def __init__(self, images, data_format, name: str = "images"):
        images = tensor(images)
        if images.ndim not in (3, 4):
            raise ValueError(f"Invalid {name} rank: expected rank 3 (single image) or rank 4 "
                             f"(batch of images). Received input with shape: "
                             f"{name}.shape={tuple(images.shape)}")
        self.data_format = data_format_of(data_format)
        self.single = images.ndim == 3
        batch = images.unsqueeze(0) if self.single else images
        self.batch = batch.movedim(1, -1) if self.data_format == "channels_first" else batch

    def restore(self, batch: torch.Tensor) -> torch.Tensor:
        """A `(batch, height, width, channels)` result in the caller's layout and rank."""
        if self.data_format == "channels_first":
            batch = batch.movedim(-1, 1)
        return batch[0] if self.single else batch


def check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"Invalid value for argument `{name}`. Expected one of "
                         f"{sorted(choices)}. Received: {name}={value!r}")


def depthwise(images: torch.Tensor, kernel: torch.Tensor, padding) -> torch.Tensor:
    """Convolve each channel of `(N, H, W, C)` images with one 2-D `kernel`."""
    channels = images.shape[-1]
    weight = kernel.to(images.dtype).expand(channels, 1, *kernel.shape)
    out = torch.nn.functional.conv2d(images.movedim(-1, 1), weight, padding=padding,
                                     groups=channels)
    return out.movedim(1, -1)


def gaussian_1d(size: int, sigma: float, dtype, device) -> torch.Tensor:
    """A normalized Gaussian window of `size` taps."""
    x = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    weights = torch.exp(-0.5 * (x / sigma) ** 2)
    return weights / weights.sum()
