"""Sorting, searching, counting, differences and vectorization, numpy-named."""

from __future__ import annotations

import re

import torch

from hocsau.ops._convert import canonical_axis, floating, shape_tuple, tensor, tensors
from hocsau.ops.dispatch import op


def _sortable(x) -> tuple[torch.Tensor, torch.dtype]:
    x = tensor(x)
    return (x.to(torch.uint8) if x.dtype == torch.bool else x), x.dtype


@op
def sort(x, axis=-1) -> torch.Tensor:
    """`x` sorted in ascending order along `axis` (the flattened tensor when None)."""
    x, dtype = _sortable(x)
    if axis is None:
        x, axis = x.reshape(-1), -1
    return torch.sort(x, dim=axis, stable=True).values.to(dtype)


@op
def argsort(x, axis=-1) -> torch.Tensor:
    """Indices that sort `x` along `axis` (stable), as int32."""
    x, _ = _sortable(x)
    if axis is None:
        x, axis = x.reshape(-1), -1
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


@op
def argpartition(x, kth, axis=-1) -> torch.Tensor:
    """Indices that put the `kth` smallest element of each slice in place, smaller ones before
    it and larger ones after (here a full stable sort, which satisfies that), as int32."""
    x = tensor(x)
    size = x.numel() if axis is None else x.shape[axis]
    if not -size <= int(kth) < size:
        raise ValueError(f"`kth` is out of bounds for an axis of size {size}. Received: kth={kth}")
    return argsort(x, axis)


@op
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The distinct values of `x` (distinct slices along `axis` when given).

    Args:
        return_index / return_inverse / return_counts: also return the index of each value's
            first occurrence, the position of each element among the values, and the counts.
        size: pad (with `fill_value`, default 0) or truncate the results to this length.

    Returns:
        The values, or a tuple of the values and the requested extras in that order.
    """
    x = tensor(x)
    values, inverse, counts = torch.unique(x, sorted=True, return_inverse=True,
                                           return_counts=True, dim=axis)
    dim = 0 if axis is None else canonical_axis(axis, x.ndim)
    extras = []
    if return_index:
        positions = torch.arange(inverse.numel(), device=x.device)
        first = torch.full((values.shape[dim],), inverse.numel(), device=x.device)
        extras.append(first.scatter_reduce(0, inverse.reshape(-1), positions, "amin"))
    if return_inverse:
        extras.append(inverse)
    if return_counts:
        extras.append(counts)
    if size is not None:
        values = _fit(values, dim, size, 0 if fill_value is None else fill_value)
        extras = [e if e is inverse else _fit(e, 0, size, 0) for e in extras]
    return (values, *extras) if extras else values


def _fit(x: torch.Tensor, dim: int, size: int, fill) -> torch.Tensor:
    """`x` truncated or padded with `fill` to `size` along `dim`."""
    if x.shape[dim] >= size:
        return x.narrow(dim, 0, size)
    shape = list(x.shape)
    shape[dim] = size - x.shape[dim]
    return torch.cat([x, torch.full(shape, fill, dtype=x.dtype, device=x.device)], dim=dim)


@op
def nonzero(x) -> tuple[torch.Tensor, ...]:
    """The indices of nonzero elements, one int32 tensor per dimension."""
    return tuple(i.to(torch.int32) for i in torch.nonzero(tensor(x), as_tuple=True))


@op
def searchsorted(sorted_sequence, values, side="left") -> torch.Tensor:
    """Positions at which `values` would be inserted into 1-D `sorted_sequence`, as int32."""
    if side not in ("left", "right"):
        raise ValueError(f"`side` must be 'left' or 'right'. Received: side={side!r}")
    sequence, values = tensors(sorted_sequence, values)
    if sequence.ndim != 1:
        raise ValueError("searchsorted takes a 1-D `sorted_sequence`. "
                         f"Received: sorted_sequence.shape={tuple(sequence.shape)}")
    dtype = torch.promote_types(sequence.dtype, values.dtype)
    return torch.searchsorted(sequence.to(dtype), values.to(dtype),
                              side=side).to(torch.int32)


@op
def digitize(x, bins) -> torch.Tensor:
    """For each element, the index of the bin it falls into (`bins` increasing), as int32."""
    return searchsorted(bins, x, side="right")


@op
def histogram(x, bins=10, range=None) -> tuple[torch.Tensor, torch.Tensor]:  # noqa: A002
    """Counts of the values of `x` in `bins` equal bins over `range` (default: min to max).

    Returns:
        `(counts, bin_edges)`, the last bin including its right edge.
    """
    x = floating(x).reshape(-1)
    low, high = (x.min().item(), x.max().item()) if range is None else range
    edges = torch.linspace(low, high, bins + 1, dtype=torch.float64, device=x.device).to(x.dtype)
    index = torch.bucketize(x, edges, right=True) - 1
    index = torch.where(x == high, bins - 1, index)
    inside = (x >= low) & (x <= high)
    counts = torch.bincount(index[inside], minlength=bins)
    return counts.to(x.dtype), edges


@op
def bincount(x, weights=None, minlength=0, sparse=False) -> torch.Tensor:
    """Occurrences of each non-negative integer in `x` (per row for 2-D `x`), optionally
    weighted."""
    if sparse:
        raise ValueError("hocsau tensors are dense: `sparse=True` is not supported.")
    x = tensor(x).long()
    if weights is not None:
        weights = tensor(weights, device=x.device)
        dtype = torch.promote_types(weights.dtype, torch.int32)
        weights = weights.to(torch.float64)
    else:
        dtype = torch.int32
    length = max(int(minlength), int(x.max()) + 1 if x.numel() else 0)
    if x.ndim == 2:
        offsets = torch.arange(x.shape[0], device=x.device).reshape(-1, 1) * length
        flat = torch.bincount((x + offsets).reshape(-1),
                              None if weights is None else weights.reshape(-1),
                              minlength=x.shape[0] * length)
        return flat.reshape(x.shape[0], length).to(dtype)
    return torch.bincount(x, weights, minlength=length).to(dtype)


@op
def diff(a, n=1, axis=-1) -> torch.Tensor:
    """The `n`-th discrete difference along `axis`."""
    return torch.diff(tensor(a), n=n, dim=axis)


@op
def unravel_index(indices, shape) -> tuple[torch.Tensor, ...]:
    """Flat indices as coordinate tensors (int32) for a tensor of `shape`."""
    indices = tensor(indices).long()
    return tuple(i.to(torch.int32) for i in torch.unravel_index(indices, shape_tuple(shape)))


@op
def isin(x1, x2, assume_unique=False, invert=False) -> torch.Tensor:
    """Whether each element of `x1` occurs in `x2` (or not, with `invert`)."""
    x1, x2 = tensors(x1, x2)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)


@op
def corrcoef(x) -> torch.Tensor:
    """Pearson correlation coefficients of the rows of `x`."""
    return torch.corrcoef(floating(x))


_CORE = re.compile(r"\(([^()]*)\)")


def _core_ranks(signature: str) -> list[int]:
    """The number of core dimensions of each input in a signature like "(n),(n)->()"."""
    inputs = signature.replace(" ", "").partition("->")[0]
    return [len([d for d in dims.split(",") if d]) for dims in _CORE.findall(inputs)]


def vectorize(pyfunc, *, excluded=None, signature=None):
    """`pyfunc` turned into a function mapped over the leading (loop) dimensions of its inputs.

    Args:
        pyfunc: a function of tensors built from torch operations (it runs under `torch.vmap`).
        excluded: positions or keyword names of arguments passed through unchanged.
        signature: numpy's generalized-ufunc signature, e.g. "(n),(n)->()"; by default every
            input is mapped element by element.
    """
    excluded = set(excluded or ())

    def wrapper(*args, **kwargs):
        mapped = [i for i in range(len(args)) if i not in excluded]
        values = tensors(*(args[i] for i in mapped))
        ranks = _core_ranks(signature) if signature else [0] * len(values)
        cores = [v.shape[v.ndim - r:] for v, r in zip(values, ranks, strict=True)]
        loop = torch.broadcast_shapes(*(v.shape[:v.ndim - len(c)]
                                        for v, c in zip(values, cores, strict=True)))
        flat = [v.broadcast_to(loop + c).reshape((-1,) + c)
                for v, c in zip(values, cores, strict=True)]

        def call(*items):
            full = list(args)
            for i, item in zip(mapped, items, strict=False):
                full[i] = item
            return pyfunc(*full, **kwargs)

        out = torch.vmap(call)(*flat)
        if isinstance(out, tuple):
            return tuple(o.reshape(loop + o.shape[1:]) for o in out)
        return out.reshape(loop + out.shape[1:])

    wrapper.__name__ = getattr(pyfunc, "__name__", "vectorized")
    wrapper.__doc__ = pyfunc.__doc__
    return wrapper
