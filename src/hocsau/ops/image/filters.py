"""Neighborhood image ops: Gaussian blur, Sobel edges, SSIM and patch extraction."""

from __future__ import annotations

import torch

from hocsau.ops._convert import tensor
from hocsau.ops.dispatch import op
from hocsau.ops.image._layout import Layout, depthwise, gaussian_1d
from hocsau.ops.nn_conv import conv, data_format_of


@op
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None) -> torch.Tensor:
    """Blur each channel with a Gaussian kernel of `kernel_size = (height, width)`; borders are
    zero-padded. Keras documents `sigma` as (height, width) but every backend of Keras 3 applies
    `sigma[0]` along the width and `sigma[1]` along the height; its numerics are followed."""
    layout = Layout(images, data_format)
    x = layout.batch
    dtype = x.dtype if x.is_floating_point() else torch.float32
    (kh, kw), (sw, sh) = (int(k) for k in kernel_size), (float(s) for s in sigma)
    kernel = torch.outer(gaussian_1d(kh, sh, dtype, x.device), gaussian_1d(kw, sw, dtype, x.device))
    return layout.restore(depthwise(x.to(dtype), kernel, padding=(kh // 2, kw // 2)))


@op
def sobel_edges(images, data_format=None) -> torch.Tensor:
    """Sobel gradients of each channel, stacked on a new last axis as (d/dy, d/dx)."""
    layout = Layout(images, data_format)
    x = layout.batch
    dx = torch.tensor([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=x.dtype, device=x.device)
    edges = torch.stack([depthwise(x, dx.T, padding=1), depthwise(x, dx, padding=1)], dim=-1)
    if layout.data_format == "channels_first":
        edges = edges.movedim(3, 1)
    return edges[0] if layout.single else edges


@op
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None) -> torch.Tensor:
    """Structural similarity of two images (per image of a batch), averaged over channels,
    with a Gaussian window and no padding."""
    first, second = Layout(image1, data_format, "image1"), Layout(image2, data_format, "image2")
    x, y = first.batch, second.batch
    dtype = x.dtype if x.is_floating_point() else torch.float32
    x, y = x.to(dtype), y.to(dtype)
    taps = gaussian_1d(filter_size, filter_sigma, dtype, x.device)
    window = torch.outer(taps, taps)

    def mean(v):
        return depthwise(v, window, padding=0)

    mu_x, mu_y = mean(x), mean(y)
    var_x, var_y = mean(x * x) - mu_x**2, mean(y * y) - mu_y**2
    covariance = mean(x * y) - mu_x * mu_y
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    index = ((2 * mu_x * mu_y + c1) * (2 * covariance + c2)) / (
        (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    result = index.mean(dim=(1, 2, 3)).to(tensor(image1).dtype)
    return result[0] if first.single else result


def _patches(images, size, strides, dilation_rate, padding, data_format, rank: int):
    x = tensor(images)
    size = (size,) * rank if isinstance(size, int) else tuple(size)
    if len(size) != rank:
        raise ValueError(f"Invalid `size` argument. Expected an int or a tuple of length "
                         f"{rank}. Received: size={size}")
    data_format = data_format_of(data_format)
    single = x.ndim == rank + 1
    batch = x.unsqueeze(0) if single else x
    channels = batch.shape[-1] if data_format == "channels_last" else batch.shape[1]
    depth = channels
    for s in size:
        depth *= s
    # One output channel per (window position, input channel): an identity kernel.
    kernel = torch.eye(depth, dtype=torch.float32, device=x.device).reshape(*size, channels,
                                                                            depth)
    out = conv(batch, kernel, strides=size if strides is None else strides, padding=padding,
               data_format=data_format, dilation_rate=dilation_rate)
    out = out.to(x.dtype) if not x.is_floating_point() else out
    return out[0] if single else out


@op
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None) -> torch.Tensor:
    """Patches of `size` (int or (height, width); a 3-tuple means volumes) as channels:
    `(batch, rows, cols, patch_h * patch_w * channels)` in channels_last."""
    if not isinstance(size, int) and len(size) == 3:
        return _patches(images, size, strides, dilation_rate, padding, data_format, 3)
    return _patches(images, size, strides, dilation_rate, padding, data_format, 2)


@op
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None) -> torch.Tensor:
    """Patches of `size` (int or (depth, height, width)) of volumes, as channels."""
    return _patches(volumes, size, strides, dilation_rate, padding, data_format, 3)
