"""`hocsau.backend`'s Keras 3 names against `keras.backend`."""

import itertools

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import backend

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "bfloat16", "float16", "float32",
          "float64", "complex64", int, float, None]


@pytest.mark.parametrize("pair", list(itertools.combinations_with_replacement(DTYPES, 2)),
                         ids=str)
def test_result_type_matches_keras(pair):
    try:
        expected = keras.backend.result_type(*pair)
    except ValueError:
        with pytest.raises(ValueError):
            backend.result_type(*pair)
        return
    assert backend.result_type(*pair) == expected


def test_result_type_single_and_weak_types_follow_floatx():
    assert backend.result_type() == keras.backend.result_type() == "float32"
    assert backend.result_type(int) == "int32" and backend.result_type(float) == "float32"
    assert backend.result_type("int8", "int8", float) == keras.backend.result_type(
        "int8", "int8", float)
    with pytest.raises(ValueError, match="no implicit conversions from float8"):
        backend.result_type("float8_e4m3fn", "float32")
    hocsau.config.set_floatx("float16")
    keras.config.set_floatx("float16")
    try:
        assert backend.result_type(int, float) == keras.backend.result_type(int, float)
        assert backend.result_type(int) == keras.backend.result_type(int) == "int16"
    finally:
        hocsau.config.set_floatx("float32")
        keras.config.set_floatx("float32")


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "int8", "uint16", "bool", "string",
                                   np.float64, np.dtype("int32"), torch.float16, torch.int64,
                                   int, float, bool, str, None])
def test_dtype_predicates_and_standardize_match_keras(dtype):
    assert backend.standardize_dtype(dtype) == keras.backend.standardize_dtype(dtype)
    assert backend.is_float_dtype(dtype) == keras.backend.is_float_dtype(dtype)
    assert backend.is_int_dtype(dtype) == keras.backend.is_int_dtype(dtype)
    assert hocsau.utils.standardize_dtype(dtype) == keras.utils.standardize_dtype(dtype)


def test_standardize_dtype_rejects_unknown_names_as_keras():
    for bad in ("float", "double", "tensor"):
        with pytest.raises(ValueError, match="Invalid dtype"):
            keras.backend.standardize_dtype(bad)
        with pytest.raises(ValueError, match=f"Invalid dtype: {bad}"):
            backend.standardize_dtype(bad)


def test_get_uid_counts_per_prefix_and_clear_session_resets():
    backend.clear_session()
    assert [backend.get_uid("thing"), backend.get_uid("thing"), backend.get_uid("other")] == \
        [1, 2, 1]
    assert hocsau.layers.Dense(1).name == "dense"
    assert backend.get_uid("dense") == 2  # shared with default names, as in Keras
    hocsau.utils.clear_session()
    assert backend.get_uid("thing") == 1


def test_is_keras_tensor():
    x = hocsau.Input((3,))
    assert backend.is_keras_tensor(x) and hocsau.utils.is_keras_tensor(x)
    assert not backend.is_keras_tensor(torch.ones(3))
