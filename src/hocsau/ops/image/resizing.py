"""Changing image size: `resize`, `scale_and_translate`, `pad_images` and `crop_images`."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from hocsau.ops._convert import floats, tensor
from hocsau.ops.core import saturate_cast
from hocsau.ops.dispatch import op
from hocsau.ops.image._layout import Layout, check_choice

_TORCH_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}
_KERNEL_OF = {"linear": "linear", "bilinear": "linear", "trilinear": "linear",
              "triangle": "linear", "cubic": "cubic", "bicubic": "cubic", "tricubic": "cubic",
              "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


def _aspect_box(height: int, width: int, size, grow: bool) -> tuple[int, int, int, int]:
    """Offsets and size of the centered box with the target aspect ratio: inside the image
    (a crop), or around it when `grow` (a pad of the offsets on each side, as Keras does)."""
    target_height, target_width = size
    box_height = int(width * target_height / target_width)
    box_width = int(height * target_width / target_height)
    if grow:
        box_height, box_width = max(height, box_height), max(width, box_width)
    else:
        box_height = max(min(height, box_height), 1)
        box_width = max(min(width, box_width), 1)
    return (int(abs(height - box_height) / 2), int(abs(width - box_width) / 2), box_height,
            box_width)


@op
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
           data_format=None) -> torch.Tensor:
    """Resize images to `size = (height, width)`.

    Args:
        interpolation: 'bilinear', 'nearest', 'bicubic', 'lanczos3' or 'lanczos5'.
        antialias: filter when downsampling (bilinear, bicubic and Lanczos).
        crop_to_aspect_ratio / pad_to_aspect_ratio: first crop the centered box of the target
            aspect ratio, or pad (with `fill_value`) to it, so the image is not distorted.
    Integer images are resized in float32 and rounded back, saturating.
    """
    check_choice("interpolation", interpolation, {*_TORCH_MODES, "lanczos3", "lanczos5"})
    check_choice("fill_mode", fill_mode, {"constant"})
    if len(size) != 2 or size[0] <= 0 or size[1] <= 0:
        raise ValueError(f"`size` must be a tuple of 2 positive integers (height, width). "
                         f"Received: size={size}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                         "`True`.")
    layout = Layout(images, data_format)
    x = layout.batch.movedim(-1, 1)
    dtype = x.dtype
    x = x if dtype in (torch.float32, torch.float64) else x.float()
    height, width = x.shape[-2:]
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        top, left, box_height, box_width = _aspect_box(height, width, size, pad_to_aspect_ratio)
        if crop_to_aspect_ratio:
            x = x[..., top:top + box_height, left:left + box_width]
        else:
            x = F.pad(x, (left, left, top, top), value=fill_value)
    if interpolation in _TORCH_MODES:
        mode = _TORCH_MODES[interpolation]
        out = F.interpolate(x, size=tuple(size), mode=mode,
                            align_corners=False if mode != "nearest-exact" else None,
                            antialias=antialias and mode != "nearest-exact")
    else:
        scale = [size[0] / x.shape[-2], size[1] / x.shape[-1]]
        out = scale_and_translate(x, (*x.shape[:2], *size), scale, [0.0, 0.0], (2, 3),
                                  interpolation, antialias)
    out = out.movedim(1, -1)
    if dtype != out.dtype:
        out = saturate_cast(torch.round(out) if not dtype.is_floating_point else out, dtype)
    return layout.restore(out)


def _kernel(name: str, x: torch.Tensor) -> torch.Tensor:
    if name == "linear":
        return torch.clamp(1 - x.abs(), min=0)
    if name == "cubic":  # Keys cubic, a = -0.5
        x = x.abs()
        near = ((1.5 * x - 2.5) * x) * x + 1.0
        far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
        return torch.where(x >= 2.0, 0.0, torch.where(x >= 1.0, far, near))
    radius = 3.0 if name == "lanczos3" else 5.0
    x = x.abs()
    product = radius * torch.sin(math.pi * x) * torch.sin(math.pi * x / radius)
    out = torch.where(x > 1e-3, product / torch.where(x != 0, math.pi**2 * x**2, 1.0), 1.0)
    return torch.where(x > radius, 0.0, out)


def _weights(in_size: int, out_size: int, scale, shift, kernel: str, antialias: bool):
    """`(in_size, out_size)` resampling weights of one axis (JAX's scale_and_translate)."""
    dtype = scale.dtype
    inverse = 1.0 / scale
    stretch = torch.clamp(inverse, min=1.0) if antialias else torch.ones_like(inverse)
    sample = (torch.arange(out_size, dtype=dtype, device=scale.device) + 0.5) * inverse \
        - shift * inverse - 0.5
    distance = (sample[None, :] - torch.arange(in_size, dtype=dtype,
                                                device=scale.device)[:, None]).abs() / stretch
    weights = _kernel(kernel, distance)
    total = weights.sum(dim=0, keepdim=True)
    weights = torch.where(total.abs() > 1000.0 * torch.finfo(torch.float32).eps,
                          weights / torch.where(total != 0, total, 1.0), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return torch.where(inside[None, :], weights, 0.0)


@op
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True) -> torch.Tensor:
    """Resample `images` along `spatial_dims`: output position `o` reads input position
    `(o + 0.5 - translation) / scale - 0.5`, through the interpolation kernel `method`.

    Args:
        output_shape: the full output shape (only `spatial_dims` change).
        scale, translation: one value per spatial dimension.
        method: 'linear' ('bilinear', 'trilinear', 'triangle'), 'cubic' ('bicubic',
            'tricubic'), 'lanczos3' or 'lanczos5'.
        antialias: widen the kernel when downsampling.
    """
    check_choice("method", method, _KERNEL_OF)
    x = tensor(images)
    scale, translation = (v.to(x.device) for v in floats(scale, translation))
    out = x.float() if not x.is_floating_point() else x
    for i, dim in enumerate(spatial_dims):
        dim = dim % x.ndim
        weights = _weights(x.shape[dim], int(output_shape[dim]), scale[i], translation[i],
                           _KERNEL_OF[method], antialias).to(out.dtype)
        out = torch.tensordot(out, weights, dims=([dim], [0])).movedim(-1, dim)
    if not x.is_floating_point():
        out = torch.clamp(torch.round(out), x.min(), x.max()).to(x.dtype)
    return out


def _sides(first, second, target, size: int, names: tuple[str, str, str], shrink: bool):
    """Resolve two of (first, second, target) into (first, second)."""
    given = [v for v in (first, second, target) if v is not None]
    if len(given) != 2:
        raise ValueError(f"Must specify exactly two of {', '.join(names)}. Received: "
                         f"{names[0]}={first}, {names[1]}={second}, {names[2]}={target}")
    for name, value in zip(names, (first, second, target), strict=True):
        if value is not None and value < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={value}")
    if target is not None:
        change = size - target if shrink else target - size
        first, second = (change - second, second) if first is None else (first, change - first)
    for name, value in zip(names[:2], (first, second), strict=True):
        if value < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={value}")
    return first, second


def _edges(layout: Layout, values, kind: str, shrink: bool) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) from `values` = (top, left, bottom, right, height, width)."""
    top, left, bottom, right, target_height, target_width = values
    _, height, width, _ = layout.batch.shape
    top, bottom = _sides(top, bottom, target_height, height,
                         (f"top_{kind}", f"bottom_{kind}", "target_height"), shrink)
    left, right = _sides(left, right, target_width, width,
                         (f"left_{kind}", f"right_{kind}", "target_width"), shrink)
    return top, bottom, left, right


@op
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None,
               data_format=None) -> torch.Tensor:
    """Zero-pad images; give exactly two of top / bottom / target height (same for width)."""
    layout = Layout(images, data_format)
    top, bottom, left, right = _edges(layout, (top_padding, left_padding, bottom_padding,
                                               right_padding, target_height, target_width),
                                      "padding", shrink=False)
    return layout.restore(F.pad(layout.batch, (0, 0, left, right, top, bottom)))


@op
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None,
                data_format=None) -> torch.Tensor:
    """Crop images; give exactly two of top / bottom / target height (same for width)."""
    layout = Layout(images, data_format)
    top, bottom, left, right = _edges(layout, (top_cropping, left_cropping, bottom_cropping,
                                               right_cropping, target_height, target_width),
                                      "cropping", shrink=True)
    _, height, width, _ = layout.batch.shape
    if top + bottom > height or left + right > width:
        raise ValueError(f"The crop is larger than the image ({height}x{width}). Received: "
                         f"top={top}, bottom={bottom}, left={left}, right={right}")
    return layout.restore(layout.batch[:, top:height - bottom, left:width - right])
