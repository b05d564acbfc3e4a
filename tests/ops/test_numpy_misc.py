import numpy as np
import pytest
import torch
from ops_parity import F3, F, I, V, assert_close

from hocsau import ops


@pytest.mark.parametrize("axis", [-1, 0, None])
def test_sort_and_argsort_match_numpy(axis):
    assert_close(ops.sort(F3, axis=axis), np.sort(F3, axis=axis))
    out = ops.argsort(F3, axis=axis)
    assert out.dtype == torch.int32
    np.testing.assert_array_equal(out.numpy(), np.argsort(F3, axis=axis, kind="stable"))
    assert ops.sort(np.array([True, False, True])).tolist() == [False, True, True]


@pytest.mark.parametrize("kth", [0, 2, 3])
def test_argpartition_partitions(kth):
    x = np.array([[3.0, 1.0, 4.0, 1.5], [9.0, 2.0, 6.0, 5.0]], "float32")
    indices = ops.argpartition(x, kth).numpy()
    picked = np.take_along_axis(x, indices, axis=-1)
    assert (picked[:, kth] == np.sort(x, axis=-1)[:, kth]).all()
    assert (picked[:, :kth] <= picked[:, kth:kth + 1]).all()
    assert (picked[:, kth + 1:] >= picked[:, kth:kth + 1]).all()
    with pytest.raises(ValueError, match="out of bounds"):
        ops.argpartition(x, 4)


def test_unique_with_extras_matches_numpy():
    x = np.array([3, 1, 3, 2, 1, 3])
    values, index, inverse, counts = ops.unique(x, return_index=True, return_inverse=True,
                                                return_counts=True)
    expected = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for got, want in zip((values, index, inverse, counts), expected, strict=True):
        np.testing.assert_array_equal(got.numpy(), want)
    rows = np.array([[1, 2], [0, 0], [1, 2]])
    np.testing.assert_array_equal(ops.unique(rows, axis=0).numpy(), np.unique(rows, axis=0))
    padded, padded_counts = ops.unique(x, return_counts=True, size=5, fill_value=-1)
    assert padded.tolist() == [1, 2, 3, -1, -1] and padded_counts.tolist() == [2, 1, 3, 0, 0]
    assert ops.unique(x, size=2).tolist() == [1, 2]


def test_nonzero_searchsorted_digitize():
    rows, cols = ops.nonzero(I)
    want_rows, want_cols = np.nonzero(I)
    assert rows.tolist() == want_rows.tolist() and cols.tolist() == want_cols.tolist()
    assert rows.dtype == torch.int32
    values = np.array([0.5, 2.0, 9.0], "float32")
    for side in ("left", "right"):
        np.testing.assert_array_equal(ops.searchsorted(V, values, side=side).numpy(),
                                      np.searchsorted(V, values, side=side))
    np.testing.assert_array_equal(ops.digitize(F, V - 2).numpy(), np.digitize(F, V - 2))
    with pytest.raises(ValueError, match="1-D"):
        ops.searchsorted(F, values)


def test_histogram_matches_numpy():
    counts, edges = ops.histogram(F, bins=4)
    want_counts, want_edges = np.histogram(F, bins=4)
    assert counts.tolist() == want_counts.tolist()
    assert_close(edges, want_edges, rtol=1e-6)
    counts, _ = ops.histogram(F, bins=3, range=(-1.0, 1.0))
    assert counts.tolist() == np.histogram(F, bins=3, range=(-1.0, 1.0))[0].tolist()


def test_bincount_1d_2d_weights():
    assert ops.bincount(np.array([1, 1, 3])).tolist() == [0, 2, 0, 1]
    weighted = ops.bincount(np.array([1, 1, 3]), weights=np.array([0.5, 0.5, 1.0], "float32"),
                            minlength=5)
    assert weighted.tolist() == [0.0, 1.0, 0.0, 1.0, 0.0] and weighted.dtype == torch.float32
    assert ops.bincount(np.array([[1, 2], [0, 0]])).tolist() == [[0, 1, 1], [2, 0, 0]]


def test_diff_unravel_isin_corrcoef():
    assert_close(ops.diff(F3), np.diff(F3))
    assert_close(ops.diff(F3, 2, 0), np.diff(F3, 2, 0))
    coords = ops.unravel_index(np.array([5, 7]), (3, 4))
    assert [c.tolist() for c in coords] == [list(c) for c in np.unravel_index([5, 7], (3, 4))]
    np.testing.assert_array_equal(ops.isin(I, [1, 2, 3]).numpy(), np.isin(I, [1, 2, 3]))
    np.testing.assert_array_equal(ops.isin(I, [1], invert=True).numpy(),
                                  np.isin(I, [1], invert=True))
    assert_close(ops.corrcoef(F), np.corrcoef(F), rtol=1e-5)


def test_vectorize_elementwise_and_with_signature():
    def clipped_square(x):
        return torch.clamp(x * x, max=4.0)

    assert_close(ops.vectorize(clipped_square)(F3), np.minimum(F3 * F3, 4.0))

    def dot(a, b):
        return torch.sum(a * b)

    out = ops.vectorize(dot, signature="(n),(n)->()")(F3, V[:1].repeat(4))
    assert_close(out, F3.sum(-1), rtol=1e-5)

    def scaled(x, factor):
        return x * factor

    assert_close(ops.vectorize(scaled, excluded={1})(F, 3.0), F * 3.0)
