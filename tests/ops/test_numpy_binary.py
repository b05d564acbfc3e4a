import numpy as np
import pytest
import torch
from ops_parity import F3, POS, F, I, V, assert_close, keras_result

from hocsau import ops

ARITHMETIC = [
    ("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply),
    ("divide", np.divide), ("true_divide", np.true_divide), ("maximum", np.maximum),
    ("minimum", np.minimum), ("fmax", np.fmax), ("fmin", np.fmin), ("arctan2", np.arctan2),
    ("hypot", np.hypot), ("logaddexp", np.logaddexp), ("logaddexp2", np.logaddexp2),
    ("equal", np.equal), ("not_equal", np.not_equal), ("greater", np.greater),
    ("greater_equal", np.greater_equal), ("less", np.less), ("less_equal", np.less_equal),
    ("logical_and", np.logical_and), ("logical_or", np.logical_or),
    ("logical_xor", np.logical_xor), ("heaviside", np.heaviside),
]
DIVISIONS = [("floor_divide", np.floor_divide), ("mod", np.mod), ("fmod", np.fmod),
             ("power", np.power)]
INTEGER = [("bitwise_and", np.bitwise_and), ("bitwise_or", np.bitwise_or),
           ("bitwise_xor", np.bitwise_xor), ("gcd", np.gcd), ("lcm", np.lcm),
           ("left_shift", np.left_shift), ("right_shift", np.right_shift),
           ("bitwise_left_shift", np.left_shift), ("bitwise_right_shift", np.right_shift)]


@pytest.mark.parametrize("name,reference", ARITHMETIC, ids=[c[0] for c in ARITHMETIC])
def test_broadcasting_float_pairs_match_numpy(name, reference):
    assert_close(getattr(ops, name)(F, F3), reference(F, F3), rtol=2e-5)
    assert_close(getattr(ops, name)(F3, 0.5), reference(F3, np.float32(0.5)), rtol=2e-5)


@pytest.mark.parametrize("name,reference", DIVISIONS, ids=[c[0] for c in DIVISIONS])
def test_divisions_match_numpy(name, reference):
    assert_close(getattr(ops, name)(POS * 5, POS), reference(POS * 5, POS), rtol=2e-5)
    positive = np.abs(I) + 1
    assert_close(getattr(ops, name)(positive, 3), reference(positive, 3))


@pytest.mark.parametrize("name,reference", INTEGER, ids=[c[0] for c in INTEGER])
def test_integer_functions_match_numpy(name, reference):
    small = np.array([[1, 6, 12], [0, 9, 4]], "int32")
    other = np.array([2, 4, 3], "int32")
    np.testing.assert_array_equal(getattr(ops, name)(small, other).numpy(),
                                  reference(small, other))


COMBOS = {
    "int32,int32": (I, I), "int32,float32": (I, F), "int32,py_float": (I, 1.5),
    "int32,py_int": (I, 2), "float16,py_float": (F.astype("float16"), 1.5),
    "int8,py_int": (I.astype("int8"), 2), "uint8,int8": (I.astype("uint8"), I.astype("int8")),
    "int64,float32": (I.astype("int64"), F), "py_int,py_int": (2, 3), "bool,bool": (I > 0, I > 1),
}


@pytest.mark.parametrize("name", ["add", "multiply", "divide", "maximum", "minimum", "mod",
                                  "floor_divide", "power", "equal", "logaddexp", "hypot",
                                  "nextafter", "divide_no_nan"])
@pytest.mark.parametrize("combo", list(COMBOS))
def test_result_dtype_like_keras(name, combo):
    x1, x2 = COMBOS[combo]
    try:
        expected = keras_result(name, x1, x2).dtype
    except Exception:  # Keras (torch) cannot do it either
        return
    if name in ("logaddexp", "hypot", "nextafter") and combo == "float16,py_float":
        expected = torch.float16  # Keras upcasts here; half stays half in hocsau
    assert getattr(ops, name)(x1, x2).dtype == expected


def test_subtract_with_booleans_takes_other_dtype():
    assert ops.subtract(np.array([True, False]), np.array([1.5, 1.5], "float32")).tolist() == [
        -0.5, -1.5]


def test_divide_no_nan_and_ldexp_and_nextafter():
    assert ops.divide_no_nan(np.array([1.0, 2.0]), np.array([0.0, 4.0])).tolist() == [0.0, 0.5]
    assert ops.ldexp(np.array([1.0, 3.0], "float32"), np.array([2, -1])).tolist() == [4.0, 1.5]
    assert ops.nextafter(np.float32(1.0), np.float32(2.0)).item() == np.nextafter(
        np.float32(1), np.float32(2))


def test_isclose_allclose_clip():
    assert ops.isclose(F, F + 1e-7).all()
    assert not bool(ops.allclose(F, F + 1e-3))
    assert ops.isclose(np.array([np.nan]), np.array([np.nan]), equal_nan=True).item()
    assert_close(ops.clip(F, -0.5, 0.5), np.clip(F, -0.5, 0.5))
    assert ops.clip(np.array([True, False]), 0, 1).dtype == torch.int32


def test_where_and_select():
    assert_close(ops.where(F > 0, F, 0.0), np.where(F > 0, F, 0.0))
    assert ops.where(I > 0, I, 2).dtype == torch.int32
    rows, cols = ops.where(I > 3)
    assert rows.tolist() == [1, 1, 1] and cols.tolist() == [0, 1, 3]
    with pytest.raises(ValueError, match="must both be given"):
        ops.where(I > 0, I)
    conditions, choices = [F > 0.5, F < -0.5], [F, -F]
    assert_close(ops.select(conditions, choices, 7.0), np.select(conditions, choices, 7.0))
    with pytest.raises(ValueError, match="same length"):
        ops.select([F > 0], [F, F])


def test_tensors_stay_on_their_device_with_numpy_partners():
    out = ops.add(torch.ones(3, dtype=torch.float64), V)
    assert out.dtype == torch.float64 and out.tolist() == [2.0, 3.0, 4.0]
