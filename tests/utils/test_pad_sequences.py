"""pad_sequences against keras.utils.pad_sequences: values, dtypes and error messages."""

import itertools

import keras
import numpy as np
import pytest

from hocsau.utils.sequence_utils import pad_sequences

RAGGED = [[1], [2, 3], [], [4, 5, 6, 7, 8]]


@pytest.mark.parametrize("maxlen, padding, truncating", list(itertools.product(
    [None, 1, 2, 5, 7], ["pre", "post"], ["pre", "post"])))
@pytest.mark.parametrize("dtype, value", [("int32", 0.0), ("float32", -1.5), ("int64", 9)])
def test_matches_keras(maxlen, padding, truncating, dtype, value):
    kwargs = dict(maxlen=maxlen, dtype=dtype, padding=padding, truncating=truncating,
                  value=value)
    ours, theirs = pad_sequences(RAGGED, **kwargs), keras.utils.pad_sequences(RAGGED, **kwargs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_docstring_examples():
    seqs = [[1], [2, 3], [4, 5, 6]]
    assert pad_sequences(seqs).tolist() == [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
    assert pad_sequences(seqs, padding="post").tolist() == [[1, 0, 0], [2, 3, 0], [4, 5, 6]]
    assert pad_sequences(seqs, maxlen=2).tolist() == [[0, 1], [2, 3], [5, 6]]
    assert pad_sequences(seqs, maxlen=2, truncating="post").tolist() == [[0, 1], [2, 3], [4, 5]]
    assert pad_sequences(seqs).dtype == np.int32


def test_vector_timesteps_and_arrays():
    seqs = [np.ones((2, 3)), np.arange(9.0).reshape(3, 3), np.zeros((0, 3))]
    ours = pad_sequences(seqs, maxlen=4, dtype="float32", padding="post")
    theirs = keras.utils.pad_sequences(seqs, maxlen=4, dtype="float32", padding="post")
    assert ours.shape == (3, 4, 3)
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(ours[1, 3], [0.0, 0.0, 0.0])


def test_strings_with_object_dtype():
    seqs = [["a", "b"], ["c"]]
    ours = pad_sequences(seqs, dtype=object, value="<pad>")
    assert ours.tolist() == [["a", "b"], ["<pad>", "c"]]
    assert pad_sequences(seqs, dtype="<U5", value="x", padding="post").tolist() == [
        ["a", "b"], ["c", "x"]]


def _keras_message(*args, **kwargs):
    with pytest.raises(ValueError) as info:
        keras.utils.pad_sequences(*args, **kwargs)
    return str(info.value)


@pytest.mark.parametrize("args, kwargs", [
    ((5,), {}),
    (([[1], 2],), {}),
    (([[1, 2]],), {"padding": "middle"}),
    (([[1, 2]],), {"truncating": "middle"}),
    (([["a"]],), {"value": "a"}),
    (([[[1, 2]], [[1, 2, 3]]],), {}),
])
def test_errors_match_keras(args, kwargs):
    message = _keras_message(*args, **kwargs)
    with pytest.raises(ValueError) as info:
        pad_sequences(*args, **kwargs)
    assert str(info.value) == message
