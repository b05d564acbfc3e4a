"""Resampling at computed coordinates: `map_coordinates` and the affine, perspective and
elastic warps built on it.

Fill modes follow scipy.ndimage: 'constant' (outside is `fill_value`), 'nearest' (repeat the
edge), 'wrap', 'mirror' (reflect about the edge pixel) and 'reflect' (reflect including it).
"""

from __future__ import annotations

import functools
import itertools
import operator

import torch

from hocsau.ops._convert import tensor
from hocsau.ops.dispatch import op
from hocsau.ops.image._layout import Layout, check_choice, depthwise, gaussian_1d
from hocsau.ops.numpy_shape import fold_index

_FOLD = {"constant": "edge", "nearest": "edge", "wrap": "wrap", "mirror": "reflect",
         "reflect": "symmetric"}
_ORDERS = {"nearest": 0, "bilinear": 1}


def _nodes(coordinate: torch.Tensor, order: int):
    """Integer positions and weights interpolating along one axis."""
    if not coordinate.is_floating_point():
        return [(coordinate.long(), None)]
    if order == 0:
        return [(torch.round(coordinate).long(), None)]
    lower = torch.floor(coordinate)
    upper_weight = coordinate - lower
    return [(lower.long(), 1 - upper_weight), (lower.long() + 1, upper_weight)]


@op
def map_coordinates(inputs, coordinates, order, fill_mode="constant",
                    fill_value=0) -> torch.Tensor:
    """Sample `inputs` at fractional `coordinates` (one array per input axis).

    Args:
        coordinates: a sequence (or leading axis) of `inputs.ndim` coordinate arrays of one
            shape, which is the output shape; integer arrays select exactly.
        order: 0 (nearest) or 1 (linear).
        fill_mode: 'constant', 'nearest', 'wrap', 'mirror' or 'reflect'.
    """
    x = tensor(inputs)
    coordinates = [tensor(c, device=x.device) for c in coordinates]
    if len(coordinates) != x.ndim:
        raise ValueError("First dim of `coordinates` must be the same as the rank of `inputs`. "
                         f"Received inputs with shape: {tuple(x.shape)} and coordinate leading "
                         f"dim of {len(coordinates)}")
    check_choice("fill_mode", fill_mode, _FOLD)
    if order not in (0, 1):
        raise ValueError(f"`order` must be 0 or 1. Received: order={order}")
    per_axis = [[(fold_index(index, size, _FOLD[fill_mode]),
                  (index >= 0) & (index < size), weight) for index, weight in _nodes(c, order)]
                for c, size in zip(coordinates, x.shape, strict=True)]
    terms = []
    for corner in itertools.product(*per_axis):
        indices, valid, weights = zip(*corner, strict=True)
        value = x[indices]
        if fill_mode == "constant":
            value = torch.where(functools.reduce(operator.and_, valid), value,
                                torch.as_tensor(fill_value, dtype=x.dtype, device=x.device))
        weights = [w for w in weights if w is not None]
        terms.append(functools.reduce(operator.mul, weights) * value if weights else value)
    result = functools.reduce(operator.add, terms)
    if not x.is_floating_point() and result.is_floating_point():
        result = torch.round(result)
    return result.to(x.dtype)


def _warp(images: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor, order: int,
          fill_mode: str, fill_value) -> torch.Tensor:
    """Sample `(N, H, W, C)` images at source rows / cols of shape `(N, h, w)`."""
    n, _, _, c = images.shape
    shape = (n,) + tuple(rows.shape[1:]) + (c,)
    batch = torch.arange(n, device=images.device).reshape(-1, 1, 1, 1).expand(shape)
    channel = torch.arange(c, device=images.device).expand(shape)
    return map_coordinates(images, [batch, rows.unsqueeze(-1).expand(shape),
                                    cols.unsqueeze(-1).expand(shape), channel],
                           order, fill_mode, fill_value)


def _grid(height: int, width: int, dtype, device) -> tuple[torch.Tensor, torch.Tensor]:
    rows = torch.arange(height, dtype=dtype, device=device).reshape(-1, 1).expand(height, width)
    cols = torch.arange(width, dtype=dtype, device=device).expand(height, width)
    return rows, cols


def _projective(images, transforms, interpolation, fill_mode, fill_value) -> torch.Tensor:
    """Output pixel (x, y) reads the input at `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`
    with `k = c0 x + c1 y + 1`, for each image's 8 transform parameters."""
    n, height, width, _ = images.shape
    dtype = images.dtype if images.is_floating_point() else torch.float32
    transforms = transforms.to(dtype).reshape(-1, 8).expand(n, 8)
    rows, cols = _grid(height, width, dtype, images.device)
    a0, a1, a2, b0, b1, b2, c0, c1 = (t.reshape(-1, 1, 1) for t in transforms.unbind(-1))
    k = c0 * cols + c1 * rows + 1.0
    return _warp(images, (b0 * cols + b1 * rows + b2) / k, (a0 * cols + a1 * rows + a2) / k,
                 _ORDERS[interpolation], fill_mode, fill_value)


@op
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None) -> torch.Tensor:
    """Warp images by projective transforms `[a0, a1, a2, b0, b1, b2, c0, c1]` (one, or one
    per image) mapping output to input coordinates.

    Args:
        interpolation: 'nearest' or 'bilinear'.
        fill_mode: 'constant', 'nearest', 'wrap', 'mirror' or 'reflect'.
    """
    check_choice("interpolation", interpolation, _ORDERS)
    check_choice("fill_mode", fill_mode, _FOLD)
    layout = Layout(images, data_format)
    transform = tensor(transform, device=layout.batch.device)
    if transform.ndim not in (1, 2) or transform.shape[-1] != 8:
        raise ValueError("Invalid transform shape: expected (8,) or (batch, 8). Received input "
                         f"with shape: transform.shape={tuple(transform.shape)}")
    return layout.restore(_projective(layout.batch, transform, interpolation, fill_mode,
                                      fill_value))


def _homography(start: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
    """The 8 projective parameters mapping each `end` corner onto its `start` corner."""
    rows = []
    for source, target in zip(start.unbind(-2), end.unbind(-2), strict=True):
        (sx, sy), (ex, ey) = source.unbind(-1), target.unbind(-1)
        point = torch.stack([ex, ey, torch.ones_like(ex)], -1)
        zeros = torch.zeros_like(point)
        rows.append(torch.cat([point, zeros, torch.stack([-sx * ex, -sx * ey], -1)], -1))
        rows.append(torch.cat([zeros, point, torch.stack([-sy * ex, -sy * ey], -1)], -1))
    return torch.linalg.solve(torch.stack(rows, dim=1),
                              start.reshape(start.shape[0], 8, 1)).reshape(-1, 8)


@op
def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None) -> torch.Tensor:
    """Warp images so that the quadrilateral `start_points` moves to `end_points`.

    Args:
        start_points, end_points: corners `(4, 2)` as (x, y), or `(batch, 4, 2)`.
    """
    check_choice("interpolation", interpolation, _ORDERS)
    layout = Layout(images, data_format)
    device = layout.batch.device
    start = tensor(start_points, device=device).double()
    end = tensor(end_points, device=device).double()
    for name, points in (("start_points", start), ("end_points", end)):
        if points.shape[-2:] != (4, 2) or points.ndim not in (2, 3):
            raise ValueError(f"Invalid {name} shape: expected (4,2) for a single image or "
                             f"(N,4,2) for a batch. Received shape: {tuple(points.shape)}")
    if start.shape != end.shape:
        raise ValueError("start_points and end_points must have the same shape. Received "
                         f"start_points.shape={tuple(start.shape)}, "
                         f"end_points.shape={tuple(end.shape)}")
    transforms = _homography(start.reshape(-1, 4, 2), end.reshape(-1, 4, 2))
    return layout.restore(_projective(layout.batch, transforms, interpolation, "constant",
                                      fill_value))


@op
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None,
                      data_format=None) -> torch.Tensor:
    """Displace pixels by a smooth random field: Gaussian noise (scaled by `sigma`) blurred
    with a Gaussian of width `sigma`, then scaled by `alpha`.

    The column offsets are drawn before the row offsets, from one generator, as Keras's torch
    backend draws them from torch's global generator: with `seed=None` the two agree after the
    same `torch.manual_seed`, and an int `seed` gives what Keras gives after
    `torch.manual_seed(seed)`.

    Args:
        seed: None, an int or a `hocsau.random.SeedGenerator` (see `hocsau.random`).
    """
    from hocsau.random import _generator

    check_choice("interpolation", interpolation, _ORDERS)
    check_choice("fill_mode", fill_mode, _FOLD)
    layout = Layout(images, data_format)
    x = layout.batch
    n, height, width, _ = x.shape
    dtype = x.dtype if x.is_floating_point() else torch.float32
    generator = _generator(seed, x.device)
    noise = torch.stack([torch.normal(0.0, 1.0, size=(n, height, width), generator=generator,
                                      dtype=dtype, device=x.device) for _ in range(2)], -1) * sigma
    size = int(6 * sigma) | 1
    taps = gaussian_1d(size, float(sigma), dtype, x.device)
    field = depthwise(noise, torch.outer(taps, taps), padding=size // 2) * alpha
    rows, cols = _grid(height, width, dtype, x.device)
    out = _warp(x, rows + field[..., 1], cols + field[..., 0], _ORDERS[interpolation],
                fill_mode, fill_value)
    return layout.restore(out)

