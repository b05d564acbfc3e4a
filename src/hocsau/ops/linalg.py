"""Keras's `ops.linalg`: decompositions, solvers, inverses and norms of (batched) matrices.

Integer inputs are computed in `floatx()`; batch dimensions lead, the matrix is the last two.
"""

from __future__ import annotations

import torch

from hocsau.ops._convert import floating, floats
from hocsau.ops.dispatch import missing_attribute, op


def _square(x) -> torch.Tensor:
    x = floating(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError("Expected a (batch of) square matrices with shape (..., M, M). "
                         f"Received: x.shape={tuple(x.shape)}")
    return x


@op
def cholesky(x, upper=False) -> torch.Tensor:
    """Cholesky factor of symmetric positive-definite matrices (lower, or upper if `upper`)."""
    return torch.linalg.cholesky(_square(x), upper=upper)


@op
def cholesky_inverse(x, upper=False) -> torch.Tensor:
    """Inverse of `L @ L^T` (or `U^T @ U` if `upper`) from its Cholesky factor `x`."""
    return torch.cholesky_inverse(_square(x), upper=upper)


@op
def det(x) -> torch.Tensor:
    """Determinant."""
    return torch.linalg.det(_square(x))


@op
def eig(x) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigenvalues and right eigenvectors of general square matrices (complex)."""
    return tuple(torch.linalg.eig(_square(x)))


@op
def eigh(x) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigenvalues (ascending) and eigenvectors of symmetric / Hermitian matrices."""
    return tuple(torch.linalg.eigh(_square(x)))


@op
def inv(x) -> torch.Tensor:
    """Matrix inverse."""
    return torch.linalg.inv(_square(x))


@op
def lu_factor(x) -> tuple[torch.Tensor, torch.Tensor]:
    """Packed LU factorization and 0-based pivot indices (int32)."""
    lu, pivots = torch.linalg.lu_factor(_square(x))
    return lu, (pivots - 1).to(torch.int32)


@op
def norm(x, ord=None, axis=None, keepdims=False) -> torch.Tensor:
    """Vector norm (int `axis`, or all of `x` flattened) or matrix norm (2-tuple `axis`).

    Args:
        ord: None (2-norm / Frobenius), a number, inf, -inf, 'fro' or 'nuc', as in numpy.
    """
    x = floating(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    return torch.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)


@op
def qr(x, mode="reduced") -> tuple[torch.Tensor, torch.Tensor]:
    """QR decomposition; `mode` is 'reduced' or 'complete'."""
    if mode not in ("reduced", "complete"):
        raise ValueError("`mode` argument value not supported. Expected one of "
                         f"{{'reduced', 'complete'}}. Received: mode={mode}")
    return tuple(torch.linalg.qr(floating(x), mode=mode))


@op
def solve(a, b) -> torch.Tensor:
    """The solution `x` of `a @ x = b`."""
    a, b = floats(a, b)
    return torch.linalg.solve(a, b)


@op
def solve_triangular(a, b, lower=False) -> torch.Tensor:
    """The solution `x` of `a @ x = b` for triangular `a` (upper unless `lower`)."""
    a, b = floats(a, b)
    if b.ndim == a.ndim - 1:
        return torch.linalg.solve_triangular(a, b.unsqueeze(-1), upper=not lower).squeeze(-1)
    return torch.linalg.solve_triangular(a, b, upper=not lower)


@op
def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition `(u, s, vh)`, or just `s` when not `compute_uv`."""
    x = floating(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


@op
def lstsq(a, b, rcond=None) -> torch.Tensor:
    """Least-squares solution of `a @ x = b`; singular values below `rcond * max` are cut."""
    a, b = floats(a, b)
    if b.ndim == 1:
        return lstsq(a, b.unsqueeze(-1), rcond).squeeze(-1)
    if rcond is None and a.device.type == "cpu":
        return torch.linalg.lstsq(a, b).solution
    return torch.linalg.pinv(a, rtol=rcond) @ b  # accelerators' lstsq needs full rank


@op
def matrix_rank(x, tol=None) -> torch.Tensor:
    """Number of singular values above `tol` (default: numpy's threshold), as int32."""
    return torch.linalg.matrix_rank(floating(x), atol=tol).to(torch.int32)


@op
def pinv(x, rcond=None) -> torch.Tensor:
    """Moore-Penrose pseudo-inverse; singular values below `rcond * max` count as zero."""
    return torch.linalg.pinv(floating(x), rtol=rcond)


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode product: `(fun(*primals), J @ tangents)` (and the aux output if `has_aux`)."""
    return torch.func.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)


__all__ = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq", "lu_factor",
           "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd"]

__getattr__ = missing_attribute("hocsau.ops.linalg", globals())
