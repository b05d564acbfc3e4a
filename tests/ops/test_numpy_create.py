import numpy as np
import pytest
import torch
from ops_parity import I, V, assert_close, keras_result

from hocsau import config, ops


@pytest.mark.parametrize("args,kwargs", [((5,), {}), ((1, 7, 2), {}), ((0.0, 1.0, 0.25), {}),
                                         ((3,), {"dtype": "float64"}), ((6, 1, -2), {})])
def test_arange_values_and_dtype_like_keras(args, kwargs):
    out = ops.arange(*args, **kwargs)
    assert_close(out, np.arange(*args))
    assert out.dtype == keras_result("arange", *args, **kwargs).dtype


@pytest.mark.parametrize("kwargs", [{}, {"endpoint": False}, {"num": 1}, {"num": 7}])
def test_linspace_logspace_geomspace_match_numpy(kwargs):
    kwargs = {"num": 5, **kwargs}
    assert_close(ops.linspace(-1, 3, **kwargs), np.linspace(-1, 3, **kwargs), rtol=1e-6)
    assert_close(ops.logspace(0, 2, base=3, **kwargs), np.logspace(0, 2, base=3, **kwargs),
                 rtol=1e-5)
    assert_close(ops.geomspace(-2, -50, **kwargs), np.geomspace(-2, -50, **kwargs), rtol=1e-5)


def test_linspace_of_arrays_retstep_and_axis():
    start, stop = np.array([0.0, 1.0]), np.array([1.0, 3.0])
    assert_close(ops.linspace(start, stop, 3, axis=1), np.linspace(start, stop, 3, axis=1))
    points, step = ops.linspace(0, 1, 5, retstep=True)
    assert step == 0.25 and points.dtype == torch.float32
    with pytest.raises(ValueError, match="cannot be zero"):
        ops.geomspace(0, 1)


@pytest.mark.parametrize("name,args,reference", [
    ("zeros", ((2, 3),), np.zeros), ("ones", (4,), np.ones), ("empty", ((2, 0),), np.empty),
    ("full", ((2, 2), 1.5), np.full), ("eye", (3,), np.eye), ("eye", (2, 4, 1), np.eye),
    ("identity", (3,), np.identity), ("tri", (3, 4), np.tri), ("tri", (3, 3, -1), np.tri),
])
def test_filled_tensors_default_to_floatx(name, args, reference):
    out = getattr(ops, name)(*args)
    assert out.dtype == torch.float32 and out.device == config.device()
    if name != "empty":
        assert_close(out, reference(*args))
    else:
        assert tuple(out.shape) == (2, 0)


def test_like_functions_keep_shape_and_dtype():
    assert ops.zeros_like(I).dtype == torch.int32 and ops.zeros_like(I).shape == I.shape
    assert ops.ones_like(I, dtype="float16").dtype == torch.float16
    assert ops.full_like(I, 2.5).tolist() == np.full_like(I, 2.5).tolist()
    assert ops.empty_like(V).shape == (3,)
    assert ops.full((2, 3), V[:3]).tolist() == [V.tolist()] * 2
    assert ops.full((2,), 3, dtype="int32").tolist() == [3, 3]


def test_array_meshgrid_vander():
    assert ops.array([1, 2], dtype="float64").dtype == torch.float64
    for indexing in ("xy", "ij"):
        assert_close(ops.meshgrid(V, V[:2], indexing=indexing),
                     np.meshgrid(V, V[:2], indexing=indexing))
    assert_close(ops.vander(V), np.vander(V))
    assert_close(ops.vander(V, 2, increasing=True), np.vander(V, 2, increasing=True))
    with pytest.raises(ValueError, match="indexing"):
        ops.meshgrid(V, indexing="yx")


@pytest.mark.parametrize("name", ["bartlett", "blackman", "hamming", "hanning"])
def test_windows_match_numpy(name):
    assert_close(getattr(ops, name)(7), getattr(np, name)(7), atol=1e-6)


def test_kaiser_matches_numpy():
    assert_close(ops.kaiser(6, 3.5), np.kaiser(6, 3.5), rtol=1e-5)
