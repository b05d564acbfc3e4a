import math

import numpy as np
import pytest
import torch
from ops_parity import POS, UNIT, F, I, assert_close, keras_result

from hocsau import ops

# (name, input, numpy reference)
CASES = [
    ("abs", I, np.abs), ("absolute", F, np.absolute), ("negative", I, np.negative),
    ("square", F, np.square), ("sign", F, np.sign), ("sign", I, np.sign),
    ("round", F * 3, np.round), ("trunc", F * 3, np.trunc), ("ceil", F, np.ceil),
    ("floor", F, np.floor), ("exp", F, np.exp), ("exp2", F, np.exp2), ("expm1", F, np.expm1),
    ("log", POS, np.log), ("log2", POS, np.log2), ("log10", POS, np.log10),
    ("log1p", POS, np.log1p), ("sqrt", POS, np.sqrt), ("cbrt", F, np.cbrt),
    ("reciprocal", POS, np.reciprocal), ("sin", F, np.sin), ("cos", F, np.cos),
    ("tan", F, np.tan), ("arcsin", UNIT, np.arcsin), ("arccos", UNIT, np.arccos),
    ("arctan", F, np.arctan), ("sinh", F, np.sinh), ("cosh", F, np.cosh), ("tanh", F, np.tanh),
    ("arcsinh", F, np.arcsinh), ("arccosh", POS + 1, np.arccosh), ("arctanh", UNIT, np.arctanh),
    ("deg2rad", F, np.deg2rad), ("rad2deg", F, np.rad2deg), ("sinc", F, np.sinc),
    ("i0", F, np.i0), ("fabs", I, np.fabs), ("angle", F, np.angle), ("conj", F, np.conj),
    ("conjugate", F, np.conjugate), ("real", F, np.real), ("imag", F, np.imag),
    ("copy", F, np.copy), ("bitwise_invert", I, np.invert), ("bitwise_not", I, np.invert),
    ("logical_not", I, np.logical_not), ("isfinite", F, np.isfinite),
    ("signbit", np.array([-0.0, 0.0, -2.0], "float32"), np.signbit),
]
SPECIAL = np.array([-np.inf, -1.0, 0.0, np.nan, np.inf], "float32")


@pytest.mark.parametrize("name,x,reference", CASES, ids=[c[0] for c in CASES])
def test_matches_numpy(name, x, reference):
    assert_close(getattr(ops, name)(x), reference(x), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isneginf", "isposinf", "isreal"])
def test_predicates_on_special_values(name):
    np.testing.assert_array_equal(getattr(ops, name)(SPECIAL).numpy(), getattr(np, name)(SPECIAL))


def test_round_half_to_even_and_decimals():
    assert ops.round(np.array([0.5, 1.5, 2.5], "float32")).tolist() == [0.0, 2.0, 2.0]
    assert_close(ops.round(np.array([1.234, -5.678], "float32"), 2), [1.23, -5.68])
    assert ops.round(np.array([15, 25, 31], "int32"), -1).tolist() == [20, 20, 30]


def test_nan_to_num_defaults_to_dtype_limits():
    out = ops.nan_to_num(SPECIAL)
    big = np.finfo(np.float32).max
    assert out.tolist() == [-big, -1.0, 0.0, 0.0, big]
    assert ops.nan_to_num(SPECIAL, nan=7.0, posinf=1.0, neginf=-1.0).tolist() == [
        -1.0, -1.0, 0.0, 7.0, 1.0]


@pytest.mark.parametrize("name", [c[0] for c in CASES if c[0] not in ("bitwise_invert",
                                                                         "bitwise_not", "imag")])
@pytest.mark.parametrize("dtype", ["int32", "float32", "float16"])
def test_dtype_like_keras(name, dtype):
    x = np.array([[1, 2], [3, 4]]).astype(dtype)
    assert getattr(ops, name)(x).dtype == keras_result(name, x).dtype


def test_float_functions_of_integers_give_floatx():
    assert ops.sqrt(np.array([4], "int64")).dtype == torch.float32
    assert ops.exp(np.array([True])).dtype == torch.float32
    assert ops.sqrt(torch.tensor([4.0], dtype=torch.float64)).dtype == torch.float64


def test_python_scalars_and_lists():
    assert ops.sqrt(4.0).item() == 2.0
    assert ops.cos([0.0, math.pi]).tolist() == pytest.approx([1.0, -1.0])
    assert ops.abs(-3).dtype == torch.int32
