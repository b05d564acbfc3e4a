"""Reductions and scans, numpy-named, with numpy's `axis` (None, int or tuple) and `keepdims`.

Dtypes follow Keras: sums and products of small integers and booleans are int32, means and
spreads of integers are `floatx()`, arg-reductions and counts are int32.
"""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.ops._convert import axes, floating, tensor
from hocsau.ops.dispatch import op

_SMALL_INTS = (torch.bool, torch.int8, torch.int16, torch.uint8, torch.uint16)


def _dims(x: torch.Tensor, axis):
    """Axis as torch's `dim`: None (all), or a tuple; `()` means no reduction at all."""
    return axes(axis, x.ndim)


def _sum_dtype(x: torch.Tensor) -> torch.dtype:
    return torch.int32 if x.dtype in _SMALL_INTS else x.dtype


@op
def sum(x, axis=None, keepdims=False) -> torch.Tensor:
    """Sum over `axis` (all axes when None)."""
    x = tensor(x)
    dims = _dims(x, axis)
    if dims == ():
        return x.to(_sum_dtype(x))
    if x.is_floating_point():
        return torch.sum(x, dim=dims, keepdim=keepdims)
    return torch.sum(x, dim=dims, keepdim=keepdims, dtype=_sum_dtype(x))  # torch widens ints


@op
def prod(x, axis=None, keepdims=False, dtype=None) -> torch.Tensor:
    """Product over `axis` (all axes when None)."""
    x = tensor(x)
    dtype = config.torch_dtype(dtype) if dtype is not None else _sum_dtype(x)
    x = x.to(dtype)
    for dim in sorted(_dims(x, axis) or range(x.ndim), reverse=True):
        x = torch.prod(x, dim=dim, keepdim=keepdims, dtype=dtype)
    return x


@op
def mean(x, axis=None, keepdims=False) -> torch.Tensor:
    """Arithmetic mean over `axis`; integer inputs give `floatx()`."""
    x = floating(x)
    dims = _dims(x, axis)
    return x if dims == () else torch.mean(x, dim=dims, keepdim=keepdims)


@op
def var(x, axis=None, keepdims=False) -> torch.Tensor:
    """Population variance (ddof 0) over `axis`."""
    x = floating(x)
    dims = _dims(x, axis)
    return torch.var(x, dim=dims, correction=0, keepdim=keepdims)


@op
def std(x, axis=None, keepdims=False) -> torch.Tensor:
    """Population standard deviation (ddof 0) over `axis`."""
    x = floating(x)
    return torch.std(x, dim=_dims(x, axis), correction=0, keepdim=keepdims)


def _extreme(x, axis, keepdims, initial, torch_fn, combine):
    x = tensor(x)
    dims = _dims(x, axis)
    if x.numel() == 0:
        if initial is None:
            raise ValueError("Cannot reduce an empty tensor without an `initial` value. "
                             f"Received: x.shape={tuple(x.shape)}")
        shape = [1 if keepdims else None for _ in range(x.ndim)] if dims is None else [
            (1 if keepdims else None) if i in dims else s for i, s in enumerate(x.shape)]
        return torch.full([s for s in shape if s is not None], initial, dtype=x.dtype,
                          device=x.device)
    result = x if dims == () else torch_fn(x, dim=dims, keepdim=keepdims)
    if initial is not None:
        result = combine(result, torch.tensor(initial, dtype=x.dtype, device=x.device))
    return result


@op
def max(x, axis=None, keepdims=False, initial=None) -> torch.Tensor:
    """Maximum over `axis`; `initial` is a lower bound included in the reduction."""
    return _extreme(x, axis, keepdims, initial, torch.amax, torch.maximum)


@op
def min(x, axis=None, keepdims=False, initial=None) -> torch.Tensor:
    """Minimum over `axis`; `initial` is an upper bound included in the reduction."""
    return _extreme(x, axis, keepdims, initial, torch.amin, torch.minimum)


@op
def amax(x, axis=None, keepdims=False) -> torch.Tensor:
    """Maximum over `axis` (all axes when None)."""
    return _extreme(x, axis, keepdims, None, torch.amax, None)


@op
def amin(x, axis=None, keepdims=False) -> torch.Tensor:
    """Minimum over `axis` (all axes when None)."""
    return _extreme(x, axis, keepdims, None, torch.amin, None)


@op
def ptp(x, axis=None, keepdims=False) -> torch.Tensor:
    """Range (maximum minus minimum) over `axis`."""
    x = tensor(x)
    return amax(x, axis, keepdims) - amin(x, axis, keepdims)


def _arg(x, axis, keepdims, torch_fn) -> torch.Tensor:
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        result = torch_fn(x.reshape(-1))
        if keepdims:
            result = result.reshape((1,) * x.ndim)
    else:
        result = torch_fn(x, dim=int(axis), keepdim=keepdims)
    return result.to(torch.int32)


@op
def argmax(x, axis=None, keepdims=False) -> torch.Tensor:
    """Index of the maximum along `axis` (of the flattened tensor when None), as int32."""
    return _arg(x, axis, keepdims, torch.argmax)


@op
def argmin(x, axis=None, keepdims=False) -> torch.Tensor:
    """Index of the minimum along `axis` (of the flattened tensor when None), as int32."""
    return _arg(x, axis, keepdims, torch.argmin)


@op
def all(x, axis=None, keepdims=False) -> torch.Tensor:
    """Whether every element along `axis` is true (nonzero)."""
    x = tensor(x)
    dims = _dims(x, axis)
    if dims == ():
        return x.to(torch.bool)
    return torch.all(x, dim=dims, keepdim=keepdims).to(torch.bool)


@op
def any(x, axis=None, keepdims=False) -> torch.Tensor:
    """Whether some element along `axis` is true (nonzero)."""
    x = tensor(x)
    dims = _dims(x, axis)
    if dims == ():
        return x.to(torch.bool)
    return torch.any(x, dim=dims, keepdim=keepdims).to(torch.bool)


@op
def count_nonzero(x, axis=None) -> torch.Tensor:
    """Number of nonzero elements along `axis`, as int32."""
    x = tensor(x)
    dims = _dims(x, axis)
    if dims == ():
        return (x != 0).to(torch.int32)
    return torch.count_nonzero(x, dim=dims).to(torch.int32)


@op
def average(x, axis=None, weights=None) -> torch.Tensor:
    """Weighted mean along `axis`; 1-D `weights` run along `axis` of a larger `x`."""
    x = floating(x)
    if weights is None:
        return mean(x, axis)
    weights = tensor(weights, device=x.device)
    dtype = torch.promote_types(x.dtype, weights.dtype)
    x, weights = x.to(dtype), weights.to(dtype)
    if axis is not None and weights.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[int(axis)] = -1
        weights = weights.reshape(shape)
    weights = torch.broadcast_to(weights, x.shape)
    return torch.sum(x * weights, dim=_dims(x, axis)) / torch.sum(weights, dim=_dims(x, axis))


def _cumulative(x, axis, dtype, torch_fn) -> torch.Tensor:
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if dtype is not None:
        x = x.to(config.torch_dtype(dtype))
    elif x.dtype == torch.bool:
        x = x.to(torch.int32)
    return torch_fn(x, dim=int(axis)).to(x.dtype)


@op
def cumsum(x, axis=None, dtype=None) -> torch.Tensor:
    """Cumulative sum along `axis` (of the flattened tensor when None)."""
    return _cumulative(x, axis, dtype, torch.cumsum)


@op
def cumprod(x, axis=None, dtype=None) -> torch.Tensor:
    """Cumulative product along `axis` (of the flattened tensor when None)."""
    return _cumulative(x, axis, dtype, torch.cumprod)


def _to_last(x: torch.Tensor, axis) -> tuple[torch.Tensor, tuple[int, ...]]:
    """`x` with the reduced axes merged into one last axis, and the axes it reduced."""
    dims = _dims(x, axis)
    if dims is None:
        return x.reshape(-1), tuple(range(x.ndim))
    kept = [d for d in range(x.ndim) if d not in dims]
    moved = x.permute(*kept, *dims)
    return moved.reshape(*[x.shape[d] for d in kept], -1), dims


def _quantile(x, q, axis, method, keepdims, torch_fn) -> torch.Tensor:
    x = floating(x)
    compute = x.dtype if x.dtype in (torch.float32, torch.float64) else torch.float32
    q = tensor(q, compute, device=x.device)
    flat, dims = _to_last(x.to(compute), axis)
    result = torch_fn(flat, q, dim=-1, interpolation=method).to(x.dtype)
    if keepdims:
        shape = [1 if d in dims else s for d, s in enumerate(x.shape)]
        result = result.reshape(tuple(q.shape) + tuple(shape))
    return result


@op
def quantile(x, q, axis=None, method="linear", keepdims=False) -> torch.Tensor:
    """The `q`-th quantiles (`q` in [0, 1]) along `axis`; `q`'s shape leads the result's.

    Args:
        method: 'linear', 'lower', 'higher', 'midpoint' or 'nearest', as in numpy.
    """
    return _quantile(x, q, axis, method, keepdims, torch.quantile)


@op
def percentile(x, q, axis=None, method="linear", keepdims=False) -> torch.Tensor:
    """The `q`-th percentiles (`q` in [0, 100]) along `axis`."""
    return quantile(x, tensor(q) / 100.0, axis, method, keepdims)


@op
def median(x, axis=None, keepdims=False) -> torch.Tensor:
    """Median along `axis` (the mean of the two middle values for even sizes)."""
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def _nan_filled(x, fill) -> torch.Tensor:
    x = tensor(x)
    if not x.is_floating_point():
        return x
    return torch.where(torch.isnan(x), torch.as_tensor(fill, dtype=x.dtype, device=x.device), x)


@op
def nansum(x, axis=None, keepdims=False) -> torch.Tensor:
    """`sum` treating NaN as zero."""
    return sum(_nan_filled(x, 0), axis, keepdims)


@op
def nanprod(x, axis=None, keepdims=False) -> torch.Tensor:
    """`prod` treating NaN as one."""
    return prod(_nan_filled(x, 1), axis, keepdims)


@op
def nancumsum(x, axis=None, dtype=None) -> torch.Tensor:
    """`cumsum` treating NaN as zero."""
    return cumsum(_nan_filled(x, 0), axis, dtype)


@op
def nancumprod(x, axis=None, dtype=None) -> torch.Tensor:
    """`cumprod` treating NaN as one."""
    return cumprod(_nan_filled(x, 1), axis, dtype)


@op
def nanmean(x, axis=None, keepdims=False) -> torch.Tensor:
    """`mean` ignoring NaN (NaN where every element is NaN)."""
    x = floating(x)
    dims = _dims(x, axis)
    return x if dims == () else torch.nanmean(x, dim=dims, keepdim=keepdims)


@op
def nanvar(x, axis=None, keepdims=False) -> torch.Tensor:
    """`var` ignoring NaN."""
    x = floating(x)
    centered = x - nanmean(x, axis, keepdims=True)
    return nanmean(centered * centered, axis, keepdims)


@op
def nanstd(x, axis=None, keepdims=False) -> torch.Tensor:
    """`std` ignoring NaN."""
    return torch.sqrt(nanvar(x, axis, keepdims))


def _nan_extreme(x, axis, keepdims, fill, reduce_fn) -> torch.Tensor:
    x = tensor(x)
    result = reduce_fn(_nan_filled(x, fill), axis, keepdims)
    if not x.is_floating_point():
        return result
    every_nan = all(torch.isnan(x), axis, keepdims)
    return torch.where(every_nan, torch.full_like(result, float("nan")), result)


@op
def nanmax(x, axis=None, keepdims=False) -> torch.Tensor:
    """`max` ignoring NaN (NaN where every element is NaN)."""
    return _nan_extreme(x, axis, keepdims, float("-inf"), amax)


@op
def nanmin(x, axis=None, keepdims=False) -> torch.Tensor:
    """`min` ignoring NaN (NaN where every element is NaN)."""
    return _nan_extreme(x, axis, keepdims, float("inf"), amin)


@op
def nanargmax(x, axis=None, keepdims=False) -> torch.Tensor:
    """`argmax` ignoring NaN."""
    return argmax(_nan_filled(x, float("-inf")), axis, keepdims)


@op
def nanargmin(x, axis=None, keepdims=False) -> torch.Tensor:
    """`argmin` ignoring NaN."""
    return argmin(_nan_filled(x, float("inf")), axis, keepdims)


@op
def nanquantile(x, q, axis=None, method="linear", keepdims=False) -> torch.Tensor:
    """`quantile` ignoring NaN."""
    return _quantile(x, q, axis, method, keepdims, torch.nanquantile)


@op
def nanpercentile(x, q, axis=None, method="linear", keepdims=False) -> torch.Tensor:
    """`percentile` ignoring NaN."""
    return nanquantile(x, tensor(q) / 100.0, axis, method, keepdims)


@op
def nanmedian(x, axis=None, keepdims=False) -> torch.Tensor:
    """`median` ignoring NaN."""
    return nanquantile(x, 0.5, axis=axis, keepdims=keepdims)

