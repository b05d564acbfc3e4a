"""pad_sequences (string dtypes and vector samples), make_sampling_table and skipgrams
against Keras's own functions, draw for draw."""

import itertools
import random
import warnings

import keras
import numpy as np
import pytest
from keras.src.legacy.preprocessing import sequence as legacy

from hocsau.preprocessing.sequence import make_sampling_table, pad_sequences, skipgrams

WORDS = [["xin", "chào", "bạn"], [], ["một"], ["a", "bb", "ccc", "dddd", "eeeee"]]
VECTORS = [np.arange(6).reshape(3, 2), np.zeros((0, 2)), [[7, 8]]]
SIDES = ["pre", "post"]


def _outcome(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except (ValueError, TypeError) as error:
        return type(error), str(error)


def _assert_same(ours, theirs):
    if isinstance(theirs, tuple):
        assert ours == theirs
    else:
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("padding, truncating", list(itertools.product(SIDES, SIDES)))
@pytest.mark.parametrize("dtype, value", [(object, "<pad>"), ("<U4", "-"), ("<U2", "xyz"),
                                          ("int32", "oops"), (object, 0)])
def test_pad_sequences_strings_match_keras(padding, truncating, dtype, value):
    for maxlen in (None, 1, 4, 6):
        kwargs = dict(maxlen=maxlen, dtype=dtype, padding=padding, truncating=truncating,
                      value=value)
        ours = _outcome(pad_sequences, WORDS, **kwargs)
        _assert_same(ours, _outcome(keras.utils.pad_sequences, WORDS, **kwargs))
    assert len(ours) in (2, 4)


@pytest.mark.parametrize("padding, truncating", list(itertools.product(SIDES, SIDES)))
def test_pad_sequences_vectors_and_errors_match_keras(padding, truncating):
    cases = [(VECTORS, dict(maxlen=2, dtype="float32", value=-1.0)),
             (VECTORS, dict(dtype="int64")),
             ([[1, 2], [[1, 2]]], {}),  # inconsistent sample shapes
             ([[1], 5], {}),  # a non-iterable sample
             ([np.array([1, 2, 3]), (4,)], dict(maxlen=2, dtype="float64", value=np.nan))]
    for sequences, kwargs in cases:
        kwargs.update(padding=padding, truncating=truncating)
        _assert_same(_outcome(pad_sequences, sequences, **kwargs),
                     _outcome(keras.utils.pad_sequences, sequences, **kwargs))
    assert pad_sequences(VECTORS, padding=padding).shape == (3, 3, 2)


def test_sampling_table_matches_keras():
    for size, factor in [(1, 1e-5), (10, 1e-5), (5000, 1e-3), (100, 0.5)]:
        np.testing.assert_array_equal(make_sampling_table(size, factor),
                                      legacy.make_sampling_table(size, factor))
    assert make_sampling_table(3).shape == (3,)


SKIPGRAM_CASES = [
    dict(window_size=2, negative_samples=1.0),
    dict(window_size=1, negative_samples=0.0),
    dict(window_size=3, negative_samples=0.3, categorical=True),
    dict(window_size=4, negative_samples=2.5, shuffle=False),
    dict(window_size=2, negative_samples=1.0, sampling_table=make_sampling_table(30, 0.02)),
    dict(window_size=2, negative_samples=0.1),  # too few pairs for one negative
]


@pytest.mark.parametrize("kwargs", SKIPGRAM_CASES)
@pytest.mark.parametrize("seed", [0, 123])
def test_skipgrams_match_keras_draw_for_draw(kwargs, seed):
    sequence = [3, 0, 5, 7, 7, 1, 29, 2, 0, 11, 4]
    # Keras seeds only its shuffle: its other draws come from the global generator.
    random.seed(seed)
    theirs = legacy.skipgrams(sequence, 30, seed=seed, **kwargs)
    ours = skipgrams(sequence, 30, seed=seed, **kwargs)
    assert ours == theirs
    assert len(ours[0]) == len(ours[1]) > 0
    assert skipgrams(sequence, 30, seed=seed, **kwargs) == ours


def test_skipgrams_without_seed_match_keras_from_the_same_global_state():
    sequence = list(range(12))
    random.seed(7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Keras's randint(0, 10e6)
        theirs = legacy.skipgrams(sequence, 12, window_size=2)
    random.seed(7)
    ours = skipgrams(sequence, 12, window_size=2)
    assert ours == theirs and len(ours[0]) == 2 * 38  # 38 positive pairs (id 0 skipped)
