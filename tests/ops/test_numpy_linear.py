import numpy as np
import pytest
import torch
from ops_parity import F3, SQ, F, I, V, assert_close, keras_result

from hocsau import ops

CASES = [
    ("matmul", (F, F.T), np.matmul), ("matmul", (F3, F.T), np.matmul),
    ("matmul", (V, SQ), np.matmul), ("dot", (F, F.T), np.dot), ("dot", (V, V), np.dot),
    ("dot", (F3, V[:1].repeat(4)), np.dot), ("dot", (F3, F3.transpose(0, 2, 1)), np.dot),
    ("dot", (2.0, F), np.dot), ("vdot", (F, F), np.vdot), ("inner", (F, F), np.inner),
    ("inner", (F3, F), np.inner), ("outer", (V, F), np.outer), ("kron", (F[:2, :2], I), np.kron),
    ("tensordot", (F3, F), lambda a, b: np.tensordot(a, b, axes=2)),
    ("cross", (V, V[::-1]), np.cross), ("cross", (F[:, :3], F[:, 1:]), np.cross),
    ("trace", (F,), np.trace), ("diagonal", (F3, 1, 1, 2), np.diagonal),
    ("diag", (V,), np.diag), ("diag", (F, 1), np.diag), ("diag", (V, -1), np.diag),
    ("diagflat", (F[:2, :2], 1), np.diagflat), ("tril", (F3, -1), np.tril),
    ("triu", (F, 1), np.triu),
]


@pytest.mark.parametrize("name,args,reference", CASES, ids=[c[0] for c in CASES])
def test_matches_numpy(name, args, reference):
    assert_close(getattr(ops, name)(*args), reference(*args), rtol=2e-5, atol=2e-6)


def test_tensordot_axes_forms_and_einsum():
    assert_close(ops.tensordot(F3, F, axes=([1, 2], [0, 1])),
                 np.tensordot(F3, F, axes=([1, 2], [0, 1])), rtol=1e-5)
    assert_close(ops.tensordot(F, F.T, axes=1), np.tensordot(F, F.T, axes=1), rtol=1e-5)
    assert_close(ops.einsum("bij,kj->bik", F3, F), np.einsum("bij,kj->bik", F3, F), rtol=1e-5)
    assert ops.einsum("i,i->", np.array([100], "int8"), np.array([100], "int8")).item() == 10000


@pytest.mark.parametrize("x1,x2", [(I, I.T), (F, F.T), (I.astype("int8"), I.T.astype("int8")),
                                   (I > 0, (I > 0).T), (I, F.T)])
def test_matmul_dtype_like_keras(x1, x2):
    out = ops.matmul(x1, x2)
    expected = keras_result("matmul", x1, x2)
    assert out.dtype == expected.dtype
    assert_close(out, expected, rtol=1e-5)


def test_cross_axis_arguments():
    a, b = F3[:, :, :3], F3[:, :, 1:]
    assert_close(ops.cross(a, b, axis=2), np.cross(a, b, axis=2), rtol=1e-5)
    x = np.moveaxis(a, 2, 0)
    assert_close(ops.cross(x, b, axisa=0, axisc=1), np.cross(x, b, axisa=0, axisc=1), rtol=1e-5)
    # 2-vectors (numpy 2 deprecates them): the z component, or zero-extended against 3-vectors
    assert ops.cross([1.0, 2.0], [3.0, 4.0]).item() == -2.0
    assert ops.cross([1.0, 2.0], [3.0, 4.0, 5.0]).tolist() == [10.0, -5.0, -2.0]
    with pytest.raises(ValueError, match="must be 2 or 3"):
        ops.cross(F, F)


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("n,m", [(5, 2), (5, 3), (2, 5), (4, 4)])
def test_correlate_matches_numpy(mode, n, m):
    a, v = np.arange(1.0, n + 1), np.array([1.0, -2.0, 0.5, 3.0, 2.0])[:m]
    assert_close(ops.correlate(a, v, mode=mode), np.correlate(a, v, mode=mode))


def test_trapezoid_and_slogdet():
    assert_close(ops.trapezoid(F), np.trapezoid(F), rtol=1e-5)
    assert_close(ops.trapezoid(F, dx=0.5, axis=0), np.trapezoid(F, dx=0.5, axis=0), rtol=1e-5)
    points = np.array([0.0, 1.0, 3.0, 4.0], "float32")
    assert_close(ops.trapezoid(F, x=points), np.trapezoid(F, x=points), rtol=1e-5)
    sign, logdet = ops.slogdet(SQ)
    expected_sign, expected_logdet = np.linalg.slogdet(SQ)
    assert sign.item() == expected_sign and logdet.item() == pytest.approx(expected_logdet, 1e-5)
    assert ops.trace(np.ones((2, 2), "int8")).dtype == torch.int32
