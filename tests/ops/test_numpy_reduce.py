import numpy as np
import pytest
import torch
from ops_parity import F3, NANF, I, assert_close, keras_result

from hocsau import ops

AXES = [None, 1, (0, 2), -1]
REDUCTIONS = [("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min),
              ("amax", np.amax), ("amin", np.amin), ("prod", np.prod), ("std", np.std),
              ("var", np.var), ("ptp", np.ptp), ("median", np.median), ("all", np.all),
              ("any", np.any)]


@pytest.mark.parametrize("name,reference", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_match_numpy(name, reference, axis, keepdims):
    x = F3 > 0 if name in ("all", "any") else F3
    assert_close(getattr(ops, name)(x, axis=axis, keepdims=keepdims),
                 reference(x, axis=axis, keepdims=keepdims), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_arg_reductions_are_int32(name, axis):
    out = getattr(ops, name)(F3, axis=axis)
    assert out.dtype == torch.int32
    np.testing.assert_array_equal(out.numpy(), getattr(np, name)(F3, axis=axis))
    assert getattr(ops, name)(F3, axis=axis, keepdims=True).shape == getattr(np, name)(
        F3, axis=axis, keepdims=True).shape


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("axis", [None, 0, 2])
def test_scans_match_numpy(name, axis):
    assert_close(getattr(ops, name)(F3, axis=axis), getattr(np, name)(F3, axis=axis), rtol=1e-5)


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "std", "max", "argmax", "cumsum",
                                  "count_nonzero", "median", "any"])
@pytest.mark.parametrize("dtype", ["int8", "uint8", "int32", "bool", "float16", "float32"])
def test_result_dtype_like_keras(name, dtype):
    x = np.array([[1, 2], [3, 4]]).astype(dtype)
    assert getattr(ops, name)(x).dtype == keras_result(name, x).dtype


NAN_CASES = ["nansum", "nanmean", "nanmax", "nanmin", "nanprod", "nanstd", "nanvar",
             "nanargmax", "nanargmin", "nanmedian"]


@pytest.mark.parametrize("name", NAN_CASES)
@pytest.mark.parametrize("axis", [None, 1])
def test_nan_reductions_match_numpy(name, axis):
    assert_close(getattr(ops, name)(NANF, axis=axis), getattr(np, name)(NANF, axis=axis),
                 rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", ["nancumsum", "nancumprod"])
def test_nan_scans_match_numpy(name):
    assert_close(getattr(ops, name)(NANF, axis=1), getattr(np, name)(NANF, axis=1))


def test_nanmax_of_all_nan_slice_is_nan():
    x = np.array([[np.nan, np.nan], [1.0, np.nan]], "float32")
    assert np.isnan(ops.nanmax(x, axis=1).numpy()[0]) and ops.nanmax(x, axis=1)[1] == 1.0


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantiles_match_numpy(method):
    assert_close(ops.quantile(F3, [0.2, 0.9], axis=(0, 2), method=method, keepdims=True),
                 np.quantile(F3, [0.2, 0.9], axis=(0, 2), method=method, keepdims=True))
    assert_close(ops.percentile(F3, 30, axis=1, method=method),
                 np.percentile(F3, 30, axis=1, method=method))
    assert_close(ops.nanquantile(NANF, 0.4, axis=1, method=method),
                 np.nanquantile(NANF, 0.4, axis=1, method=method))
    assert_close(ops.nanpercentile(NANF, 60, method=method),
                 np.nanpercentile(NANF, 60, method=method))


def test_max_with_initial_and_empty_inputs():
    assert ops.max(I, initial=10).item() == 10
    assert ops.min(I, axis=0, initial=-3).tolist() == [-3, -3, -6, -3]
    assert ops.max(np.zeros((0, 3)), axis=0, initial=1.5).tolist() == [1.5, 1.5, 1.5]
    with pytest.raises(ValueError, match="empty tensor"):
        ops.max(np.zeros((0,)))


def test_average_and_count_nonzero():
    weights = np.array([1.0, 2.0, 3.0, 4.0], "float32")
    assert_close(ops.average(F3, axis=2, weights=weights), np.average(F3, axis=2, weights=weights))
    assert_close(ops.average(F3), np.average(F3))
    assert ops.count_nonzero(I).item() == 10
    assert ops.count_nonzero(I, axis=0).tolist() == [2, 3, 3, 2]


def test_empty_axis_tuple_is_identity():
    assert_close(ops.sum(I, axis=()), I)
    assert ops.mean(I, axis=()).dtype == torch.float32
