import numpy as np
import pytest
import torch
from ops_parity import SPD, SQ, F, V, assert_close

from hocsau import ops


@pytest.mark.parametrize("name,args,reference", [
    ("det", (SQ,), np.linalg.det), ("inv", (SQ,), np.linalg.inv),
    ("solve", (SQ, F[:, :2]), np.linalg.solve), ("pinv", (F,), np.linalg.pinv),
    ("cholesky", (SPD,), np.linalg.cholesky),
    ("norm", (F,), np.linalg.norm), ("matrix_rank", (F,), np.linalg.matrix_rank),
])
def test_matches_numpy(name, args, reference):
    assert_close(getattr(ops.linalg, name)(*args), reference(*args), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("ord_,axis", [(None, None), (1, 1), ("fro", None), (np.inf, (0, 1)),
                                       (3, 0), ("nuc", None), (-np.inf, 1), (2, (0, 1))])
def test_norm_orders_match_numpy(ord_, axis):
    assert_close(ops.norm(F, ord=ord_, axis=axis), np.linalg.norm(F, ord=ord_, axis=axis),
                 rtol=1e-5)
    assert ops.norm(F, ord=ord_, axis=axis, keepdims=True).ndim == 2


def test_decompositions_reconstruct():
    u, s, vh = ops.svd(F, full_matrices=False)
    assert_close(u.numpy() * s.numpy()[None] @ vh.numpy(), F, atol=1e-5)
    assert_close(ops.svd(F, compute_uv=False), np.linalg.svd(F, compute_uv=False), rtol=1e-5)
    q, r = ops.qr(F, mode="complete")
    assert q.shape == (3, 3) and r.shape == (3, 4)
    assert_close(q.numpy() @ r.numpy(), F, atol=1e-5)
    values, vectors = ops.eigh(SPD)
    assert_close(values, np.linalg.eigvalsh(SPD), rtol=1e-4)
    eigenvalues, _ = ops.eig(SQ)
    assert eigenvalues.dtype == torch.complex64
    lu, pivots = ops.lu_factor(SQ)
    assert pivots.dtype == torch.int32 and pivots.min() >= 0
    with pytest.raises(ValueError, match="mode"):
        ops.qr(F, mode="r")


def test_triangular_least_squares_and_cholesky_inverse():
    upper = np.triu(SQ)
    assert_close(ops.solve_triangular(upper, V), np.linalg.solve(upper, V), rtol=1e-5)
    lower = np.tril(SQ)
    assert_close(ops.solve_triangular(lower, F[:, :2], lower=True),
                 np.linalg.solve(lower, F[:, :2]), rtol=1e-5)
    assert_close(ops.lstsq(F, V), np.linalg.lstsq(F, V, rcond=None)[0], rtol=1e-4, atol=1e-5)
    assert_close(ops.lstsq(F, V, rcond=0.5), np.linalg.lstsq(F, V, rcond=0.5)[0], atol=1e-5)
    factor = np.linalg.cholesky(SPD).astype("float32")
    assert_close(ops.cholesky_inverse(factor), np.linalg.inv(SPD), rtol=1e-4, atol=1e-5)


def test_integer_inputs_and_shape_errors():
    assert ops.det(np.array([[2, 0], [0, 3]])).item() == 6.0
    with pytest.raises(ValueError, match="square matrices"):
        ops.inv(F)


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_jvp_forward_mode():
    out, tangent = ops.linalg.jvp(lambda x: x ** 3, (torch.tensor([2.0]),),
                                  (torch.tensor([1.0]),))
    assert out.item() == 8.0 and tangent.item() == 12.0
