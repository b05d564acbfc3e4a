import numpy as np
import pytest
import torch
from ops_parity import F, assert_close

from hocsau import ops


def test_cond_and_switch():
    assert ops.cond(torch.tensor(True), lambda: 1, lambda: 2) == 1
    assert ops.cond(False, lambda: 1, lambda: 2) == 2
    branches = [lambda x: x + 1, lambda x: x * 10]
    assert ops.switch(1, branches, 3) == 30
    assert ops.switch(7, branches, 3) == 30 and ops.switch(-2, branches, 3) == 4


def test_while_loop_single_and_tuple_state():
    assert ops.while_loop(lambda i: i < 10, lambda i: i + 3, 0).item() == 12
    i, total = ops.while_loop(lambda i, t: i < 4, lambda i, t: (i + 1, t + i), (0, 0))
    assert (i.item(), total.item()) == (4, 6)
    capped = ops.while_loop(lambda i: i < 10, lambda i: i + 1, 0, maximum_iterations=3)
    assert capped.item() == 3


def test_fori_loop():
    assert ops.fori_loop(0, 5, lambda i, v: v + i, 0) == 10


def test_scan_carry_and_stacked_outputs():
    carry, ys = ops.scan(lambda c, x: (c + x, c * x), 0.0, np.arange(4.0, dtype="float32"))
    assert carry.item() == 6.0 and ys.tolist() == [0.0, 0.0, 2.0, 9.0]
    carry, ys = ops.scan(lambda c, x: (c + x, c), 0.0, np.arange(4.0, dtype="float32"),
                         reverse=True)
    assert carry.item() == 6.0 and ys.tolist() == [6.0, 5.0, 3.0, 0.0]
    carry, ys = ops.scan(lambda c, _: ({"n": c["n"] + 1}, None), {"n": 0}, length=3)
    assert carry["n"].item() == 3 and ys["n"].shape == (3,)
    with pytest.raises(ValueError, match="length"):
        ops.scan(lambda c, x: (c, x), 0.0)


@pytest.mark.parametrize("size", [1, 6, 7])
@pytest.mark.parametrize("reverse", [False, True])
def test_associative_scan_matches_cumsum(size, reverse):
    x = np.arange(1.0, size + 1, dtype="float32")
    expected = np.cumsum(x[::-1])[::-1] if reverse else np.cumsum(x)
    assert_close(ops.associative_scan(lambda a, b: a + b, x, reverse=reverse), expected)


def test_associative_scan_structures_and_axis():
    out = ops.associative_scan(lambda a, b: (a[0] + b[0], a[1] * b[1]),
                               (F, np.full((3, 4), 2.0, "float32")), axis=1)
    assert_close(out[0], np.cumsum(F, axis=1), rtol=1e-5)
    assert out[1][0].tolist() == [2.0, 4.0, 8.0, 16.0]


def test_map_and_vectorized_map():
    assert_close(ops.map(lambda row: row.sum(), F), F.sum(1), rtol=1e-6)
    pairs = ops.map(lambda xs: xs["a"] * xs["b"], {"a": F, "b": F})
    assert_close(pairs, F * F, rtol=1e-6)
    assert_close(ops.vectorized_map(lambda row: row @ row, F), (F * F).sum(1), rtol=1e-5)
