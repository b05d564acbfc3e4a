"""Tensor creation: filled tensors, ranges, grids and window functions, numpy-named.

New tensors are made on `config.device()` (or next to `x` for the `*_like` functions) and
default to `floatx()`; `arange` infers int32 or `floatx()` from its arguments, like Keras.
"""

from __future__ import annotations

import numpy as np
import torch

from hocsau import config
from hocsau.ops._convert import default_device, dtype_or_none, shape_tuple, tensor
from hocsau.ops.dispatch import op


def _dtype(dtype) -> torch.dtype:
    return config.torch_dtype(dtype or config.floatx())


@op
def zeros(shape, dtype=None) -> torch.Tensor:
    """A tensor of zeros (`floatx()` by default)."""
    return torch.zeros(shape_tuple(shape), dtype=_dtype(dtype), device=default_device())


@op
def ones(shape, dtype=None) -> torch.Tensor:
    """A tensor of ones (`floatx()` by default)."""
    return torch.ones(shape_tuple(shape), dtype=_dtype(dtype), device=default_device())


@op
def empty(shape, dtype=None) -> torch.Tensor:
    """An uninitialized tensor (`floatx()` by default)."""
    return torch.empty(shape_tuple(shape), dtype=_dtype(dtype), device=default_device())


@op
def full(shape, fill_value, dtype=None) -> torch.Tensor:
    """A tensor filled with `fill_value` (`floatx()` by default; may be a broadcastable array)."""
    if isinstance(fill_value, (int, float, bool)):
        return torch.full(shape_tuple(shape), fill_value, dtype=_dtype(dtype),
                          device=default_device())
    fill = tensor(fill_value, _dtype(dtype))
    return torch.broadcast_to(fill, shape_tuple(shape)).clone()


@op
def zeros_like(x, dtype=None) -> torch.Tensor:
    """Zeros with the shape (and by default the dtype) of `x`."""
    return torch.zeros_like(tensor(x), dtype=dtype_or_none(dtype))


@op
def ones_like(x, dtype=None) -> torch.Tensor:
    """Ones with the shape (and by default the dtype) of `x`."""
    return torch.ones_like(tensor(x), dtype=dtype_or_none(dtype))


@op
def empty_like(x, dtype=None) -> torch.Tensor:
    """An uninitialized tensor with the shape (and by default the dtype) of `x`."""
    return torch.empty_like(tensor(x), dtype=dtype_or_none(dtype))


@op
def full_like(x, fill_value, dtype=None) -> torch.Tensor:
    """`fill_value` with the shape (and by default the dtype) of `x`."""
    x = tensor(x)
    dtype = dtype_or_none(dtype) or x.dtype
    if isinstance(fill_value, (int, float, bool)):
        return torch.full_like(x, fill_value, dtype=dtype)
    return torch.broadcast_to(tensor(fill_value, dtype, device=x.device), x.shape).clone()


@op
def array(x, dtype=None) -> torch.Tensor:
    """`x` as a tensor (see `convert_to_tensor`)."""
    return tensor(x, dtype)


def _is_integral(value) -> bool:
    if value is None or isinstance(value, (bool, int)):
        return True
    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, torch.dtype):
        return not (dtype.is_floating_point or dtype.is_complex)
    return dtype is not None and np.dtype(dtype).kind in "iub"


@op
def arange(start, stop=None, step=None, dtype=None) -> torch.Tensor:
    """Evenly spaced values in `[start, stop)` (or `[0, start)` when `stop` is None)."""
    if dtype is None:
        integral = all(_is_integral(v) for v in (start, stop, step))
        dtype = torch.int32 if integral else _dtype(None)
    dtype = config.torch_dtype(dtype)
    if stop is None:
        start, stop = 0, start
    values = [v.item() if hasattr(v, "item") else v for v in (start, stop, step or 1)]
    return torch.arange(*values, dtype=dtype, device=default_device())


def _spaced(start, stop, num: int, endpoint: bool, axis: int) -> tuple[torch.Tensor, torch.Tensor]:
    """`num` points from `start` to `stop` in float64 (arrays broadcast), and the step."""
    start = tensor(start, torch.float64)
    stop = tensor(stop, torch.float64, device=start.device)
    divisions = (num - 1) if endpoint else num
    step = (stop - start) / max(divisions, 1)
    shape = (num,) + (1,) * len(torch.broadcast_shapes(start.shape, stop.shape))
    steps = torch.arange(num, dtype=torch.float64, device=start.device).reshape(shape)
    points = start + steps * step
    if endpoint and num > 1:
        points[-1] = stop
    return torch.movedim(points, 0, axis), step


@op
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced points from `start` to `stop` (included when `endpoint`).

    Returns:
        The points, and the step too when `retstep`.
    """
    points, step = _spaced(start, stop, num, endpoint, axis)
    points = points.to(_dtype(dtype))
    if retstep:
        return points, (step.item() if step.ndim == 0 else step.to(points.dtype))
    return points


@op
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0) -> torch.Tensor:
    """`base ** linspace(start, stop, num)`."""
    points, _ = _spaced(start, stop, num, endpoint, axis)
    return torch.pow(float(base), points).to(_dtype(dtype))


@op
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0) -> torch.Tensor:
    """`num` points evenly spaced on a log scale from `start` to `stop`."""
    start, stop = tensor(start, torch.float64), tensor(stop, torch.float64)
    if bool(torch.any(start == 0)) or bool(torch.any(stop == 0)):
        raise ValueError(f"geomspace bounds cannot be zero. Received: start={start}, stop={stop}")
    sign = torch.sign(start)
    exponents, _ = _spaced(torch.log10(start * sign), torch.log10(stop * sign), num, endpoint, 0)
    points = sign * torch.pow(10.0, exponents)
    points[0] = start
    if endpoint and num > 1:
        points[-1] = stop
    return torch.movedim(points, 0, axis).to(_dtype(dtype))


@op
def eye(N, M=None, k=0, dtype=None) -> torch.Tensor:
    """An `N x M` matrix with ones on the `k`-th diagonal."""
    M = N if M is None else M
    rows = torch.arange(int(N), device=default_device()).reshape(-1, 1)
    cols = torch.arange(int(M), device=default_device())
    return (cols - rows == int(k)).to(_dtype(dtype))


@op
def identity(n, dtype=None) -> torch.Tensor:
    """The `n x n` identity matrix."""
    return eye(n, dtype=dtype)


@op
def tri(N, M=None, k=0, dtype=None) -> torch.Tensor:
    """An `N x M` matrix with ones at and below the `k`-th diagonal."""
    M = N if M is None else M
    rows = torch.arange(int(N), device=default_device()).reshape(-1, 1)
    cols = torch.arange(int(M), device=default_device())
    return (cols - rows <= int(k)).to(_dtype(dtype))


@op
def meshgrid(*x, indexing="xy") -> list[torch.Tensor]:
    """Coordinate grids from 1-D tensors ('xy': Cartesian, 'ij': matrix indexing)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"`indexing` must be 'xy' or 'ij'. Received: indexing={indexing!r}")
    return list(torch.meshgrid(*[tensor(v) for v in x], indexing=indexing))


@op
def vander(x, N=None, increasing=False) -> torch.Tensor:
    """The Vandermonde matrix of 1-D `x`: columns are powers of `x`."""
    x = tensor(x)
    if x.ndim != 1:
        raise ValueError(f"vander takes a 1-D tensor. Received: x.shape={tuple(x.shape)}")
    return torch.vander(x, N=N, increasing=increasing)


def _window(name: str, torch_fn, summary: str):
    def fn(x):
        return torch_fn(int(x), sym=True, dtype=_dtype(None), device=default_device())

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = summary
    return op(fn)


bartlett = _window("bartlett", torch.signal.windows.bartlett, "The Bartlett (triangular) window "
                   "of `x` points.")
blackman = _window("blackman", torch.signal.windows.blackman, "The Blackman window of `x` points.")
hamming = _window("hamming", torch.signal.windows.hamming, "The Hamming window of `x` points.")
hanning = _window("hanning", torch.signal.windows.hann, "The Hann window of `x` points.")


@op
def kaiser(x, beta) -> torch.Tensor:
    """The Kaiser window of `x` points with shape parameter `beta`."""
    return torch.signal.windows.kaiser(int(x), beta=float(beta), sym=True, dtype=_dtype(None),
                                       device=default_device())

