"""Products, contractions, diagonals and triangles, numpy-named."""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.ops._convert import canonical_axis, floating, floats, tensor, tensors
from hocsau.ops.dispatch import op
from hocsau.ops.numpy_reduce import sum as _sum


def _product_dtypes(x1: torch.Tensor, x2: torch.Tensor) -> tuple[torch.dtype, torch.dtype]:
    """The dtype a product returns and the dtype torch computes it in."""
    if x1.dtype == torch.int8 and x2.dtype == torch.int8:
        result = torch.int32
    else:
        result = torch.promote_types(x1.dtype, x2.dtype)
    compute = result
    if result == torch.bool:
        compute = config.torch_dtype(config.floatx())
    elif not (result.is_floating_point or result.is_complex) and x1.device.type != "cpu":
        compute = torch.float64  # accelerators have no integer matmul
    elif result == torch.int32 and x1.dtype == torch.int8:
        compute = torch.int32
    return result, compute


def _product(torch_fn, x1, x2, **kwargs) -> torch.Tensor:
    x1, x2 = tensors(x1, x2)
    result, compute = _product_dtypes(x1, x2)
    out = torch_fn(x1.to(compute), x2.to(compute), **kwargs)
    if result == torch.bool:
        return out != 0
    return out.to(result)


@op
def matmul(x1, x2) -> torch.Tensor:
    """Matrix product with numpy's broadcasting of leading (batch) dimensions."""
    return _product(torch.matmul, x1, x2)


@op
def tensordot(x1, x2, axes=2) -> torch.Tensor:
    """Sum of products over `axes` (an int: last/first axes; or two lists of axes)."""
    if not isinstance(axes, int):
        axes = [list(a) if isinstance(a, (list, tuple)) else [a] for a in axes]
    return _product(torch.tensordot, x1, x2, dims=axes)


@op
def dot(x1, x2) -> torch.Tensor:
    """numpy's `dot`: scalar product, matrix product, or sum over `x1`'s last axis and `x2`'s
    second-to-last."""
    x1, x2 = tensors(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return _product(torch.mul, x1, x2)
    if x2.ndim == 1:
        return _product(torch.tensordot, x1, x2, dims=([-1], [0]))
    return _product(torch.tensordot, x1, x2, dims=([-1], [-2]))


@op
def vdot(x1, x2) -> torch.Tensor:
    """Dot product of the flattened tensors, conjugating `x1`."""
    x1, x2 = tensors(x1, x2)
    return _product(torch.dot, torch.conj(x1).resolve_conj().reshape(-1), x2.reshape(-1))


@op
def inner(x1, x2) -> torch.Tensor:
    """Sum of products over the last axes of `x1` and `x2`."""
    x1, x2 = tensors(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return _product(torch.mul, x1, x2)
    return _product(torch.tensordot, x1, x2, dims=([-1], [-1]))


@op
def outer(x1, x2) -> torch.Tensor:
    """Outer product of the flattened tensors."""
    x1, x2 = tensors(x1, x2)
    return _product(torch.outer, x1.reshape(-1), x2.reshape(-1))


@op
def kron(x1, x2) -> torch.Tensor:
    """Kronecker product."""
    return _product(torch.kron, x1, x2)


@op
def einsum(subscripts, *operands, **kwargs) -> torch.Tensor:
    """Einstein summation, e.g. `einsum("ij,jk->ik", a, b)`; int8 inputs give int32."""
    operands = tensors(*operands)
    if operands and all(x.dtype == torch.int8 for x in operands):
        operands = [x.to(torch.int32) for x in operands]
    return torch.einsum(subscripts, *operands)


@op
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None) -> torch.Tensor:
    """Cross product of 3-vectors (or 2-vectors, giving the z component) along the axes.

    Args:
        axisa, axisb: the vector axes of `x1` and `x2`; axisc: that of the result.
        axis: when given, overrides all three.
    """
    x1, x2 = tensors(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = torch.movedim(x1, axisa, -1), torch.movedim(x2, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("Vector dimensions for cross must be 2 or 3. Received: "
                         f"{a.shape[-1]} and {b.shape[-1]}")
    if a.shape[-1] == b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a, b = (torch.nn.functional.pad(v, (0, 3 - v.shape[-1])) for v in (a, b))
    a, b = torch.broadcast_tensors(a, b)
    result, compute = _product_dtypes(a, b)
    compute = compute if compute.is_floating_point or compute.is_complex else result
    out = torch.linalg.cross(a.to(compute), b.to(compute), dim=-1).to(result)
    return torch.movedim(out, -1, canonical_axis(axisc, out.ndim))


@op
def diagonal(x, offset=0, axis1=0, axis2=1) -> torch.Tensor:
    """The diagonal at `offset` of the matrices spanned by `axis1` and `axis2`, as a last axis."""
    return torch.diagonal(tensor(x), offset=offset, dim1=axis1, dim2=axis2)


@op
def trace(x, offset=0, axis1=0, axis2=1) -> torch.Tensor:
    """Sum along the diagonal at `offset` of the matrices spanned by `axis1` and `axis2`."""
    return _sum(diagonal(x, offset, axis1, axis2), axis=-1)


@op
def diag(x, k=0) -> torch.Tensor:
    """The `k`-th diagonal of a matrix, or a matrix with 1-D `x` on its `k`-th diagonal."""
    x = tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"diag takes a 1-D or 2-D tensor. Received: x.ndim={x.ndim}")
    return torch.diag(x, k)


@op
def diagflat(x, k=0) -> torch.Tensor:
    """A matrix with the flattened `x` on its `k`-th diagonal."""
    return torch.diagflat(tensor(x), offset=k)


@op
def tril(x, k=0) -> torch.Tensor:
    """`x` with elements above the `k`-th diagonal zeroed (batched over leading axes)."""
    return torch.tril(tensor(x), diagonal=k)


@op
def triu(x, k=0) -> torch.Tensor:
    """`x` with elements below the `k`-th diagonal zeroed (batched over leading axes)."""
    return torch.triu(tensor(x), diagonal=k)


@op
def correlate(x1, x2, mode="valid") -> torch.Tensor:
    """Cross-correlation of two 1-D sequences, `c[k] = sum_n x1[n + k] * x2[n]`.

    Args:
        mode: 'valid' (full overlap only), 'same' (length of the longer input) or 'full'.
    """
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"`mode` must be 'valid', 'same' or 'full'. Received: mode={mode!r}")
    x1, x2 = floats(x1, x2)
    n, m = x1.shape[-1], x2.shape[-1]
    full = torch.nn.functional.conv1d(x1.reshape(1, 1, n), x2.reshape(1, 1, m),
                                      padding=m - 1).reshape(-1)
    length = {"full": n + m - 1, "same": max(n, m), "valid": abs(n - m) + 1}[mode]
    surplus = n + m - 1 - length
    # numpy centers 'same' rounding down, or up when it swapped the inputs (shorter x1).
    return full.narrow(0, surplus // 2 if n >= m else (surplus + 1) // 2, length)


@op
def trapezoid(y, x=None, dx=1.0, axis=-1) -> torch.Tensor:
    """Integral of `y` along `axis` by the trapezoidal rule, at points `x` or spacing `dx`."""
    y = floating(y)
    if x is None:
        return torch.trapezoid(y, dx=dx, dim=axis)
    return torch.trapezoid(y, tensor(x, y.dtype, device=y.device), dim=axis)


@op
def slogdet(x) -> tuple[torch.Tensor, torch.Tensor]:
    """Sign and log of the absolute value of the determinant of (batched) square matrices."""
    return tuple(torch.linalg.slogdet(floating(x)))
