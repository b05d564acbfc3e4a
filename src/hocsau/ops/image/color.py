"""Color conversions: RGB to grayscale and RGB <-> HSV."""

from __future__ import annotations

import torch

from hocsau.ops.dispatch import op
from hocsau.ops.image._layout import Layout


def _channels(layout: Layout, allowed: tuple[int, ...]) -> None:
    if layout.batch.shape[-1] not in allowed:
        raise ValueError(f"Invalid channel size: expected {' or '.join(map(str, allowed))}. "
                         f"Received input with {layout.batch.shape[-1]} channels.")


@op
def rgb_to_grayscale(images, data_format=None) -> torch.Tensor:
    """Luma `0.2989 R + 0.587 G + 0.114 B` as a single channel (grayscale passes through)."""
    layout = Layout(images, data_format)
    _channels(layout, (1, 3))
    x = layout.batch
    if x.shape[-1] == 1:
        return layout.restore(x.clone())
    r, g, b = x.unbind(-1)
    gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(x.dtype)
    return layout.restore(gray.unsqueeze(-1))


def _float_layout(images, data_format) -> Layout:
    layout = Layout(images, data_format)
    if not layout.batch.is_floating_point():
        raise ValueError("Invalid images dtype: expected float dtype. Received: "
                         f"images.dtype={str(layout.batch.dtype).replace('torch.', '')}")
    _channels(layout, (3,))
    return layout


@op
def rgb_to_hsv(images, data_format=None) -> torch.Tensor:
    """RGB in [0, 1] to hue, saturation, value in [0, 1]."""
    layout = _float_layout(images, data_format)
    x = layout.batch
    x = torch.where(x.abs() < torch.finfo(x.dtype).eps, 0.0, x)
    r, g, b = x.unbind(-1)
    value = torch.maximum(torch.maximum(r, g), b)
    spread = value - torch.minimum(torch.minimum(r, g), b)
    saturation = torch.where(value > 0, spread / torch.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * torch.where(spread > 0, spread, 1.0))
    hue = torch.where(value == g, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = torch.where(value == r, norm * (g - b), hue)
    hue = torch.where(spread > 0, hue, 0.0) + (hue < 0).to(hue.dtype)
    return layout.restore(torch.stack([hue, saturation, value], dim=-1))


@op
def hsv_to_rgb(images, data_format=None) -> torch.Tensor:
    """Hue, saturation, value in [0, 1] to RGB in [0, 1]."""
    layout = _float_layout(images, data_format)
    hue, saturation, value = layout.batch.unbind(-1)
    sector = torch.remainder(hue, 1.0) * 6.0
    red = torch.clamp((sector - 3.0).abs() - 1.0, 0.0, 1.0)
    green = torch.clamp(2.0 - (sector - 2.0).abs(), 0.0, 1.0)
    blue = torch.clamp(2.0 - (sector - 4.0).abs(), 0.0, 1.0)
    planes = [value * (1.0 - saturation + saturation * c) for c in (red, green, blue)]
    return layout.restore(torch.stack(planes, dim=-1))
