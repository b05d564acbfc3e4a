"""Tokenizer and the text helpers against Keras's own legacy module, on a varied corpus:
English and Vietnamese (diacritics, upper case), punctuation, tabs and newlines, digits,
empty strings, repeated words and pre-split token lists."""

import json

import numpy as np
import pytest
from keras.src.legacy.preprocessing import text as legacy

from hocsau.preprocessing.text import (
    Tokenizer,
    hashing_trick,
    one_hot,
    text_to_word_sequence,
    tokenizer_from_json,
)

TEXTS = [
    "The cat sat on the mat.",
    "THE DOG ate my homework!!! The dog, the DOG.",
    "Tiếng Việt có dấu: Hà Nội, Đà Nẵng; Thành phố Hồ Chí Minh.",
    "ĐƯỜNG phố đông đúc\tngười\nđi bộ — xe máy ồn ào",
    "",
    "   ",
    "123 456 123 abc-def a_b (x) [y] {z} 'quoted' \"dq\" 3.14",
    "Mixed\tTABS\tand\nnewlines\r\nand  double  spaces",
    "repeat repeat repeat repeat",
    "Việt Nam việt nam VIỆT NAM, İstanbul Straße ÉCOLE",
]
TOKEN_LISTS = [["New York", "is", "BIG"], ["new york", "Đà Nẵng", "is"], []]
PROBE = ["the dog and the cat", "Việt Nam đi xe", "unseen words only", "", "ĐÀ NẴNG 123"]
SEQUENCES = [[1, 2, 3], [], [0, 4, 4, 4], [99, 2, -1], [5, 1000, 3, 3]]
MODES = ("binary", "count", "tfidf", "freq")
OPTIONS = [
    {},
    {"num_words": 5},
    {"num_words": 1},
    {"filters": ""},
    {"filters": ".,", "lower": False},
    {"lower": False},
    {"split": ","},
    {"split": "t", "filters": "", "lower": False},
    {"char_level": True},
    {"char_level": True, "lower": False, "num_words": 8},
    {"oov_token": "<OOV>"},
    {"oov_token": "<OOV>", "num_words": 4},
    {"oov_token": "the"},  # the OOV token is also a corpus word
    {"document_count": 5},
]


def _pair(corpus, **kwargs):
    ours, theirs = Tokenizer(**kwargs), legacy.Tokenizer(**kwargs)
    ours.fit_on_texts(corpus)
    theirs.fit_on_texts(corpus)
    return ours, theirs


def _assert_same_state(ours, theirs):
    assert list(ours.word_counts.items()) == list(theirs.word_counts.items())
    assert list(ours.word_docs.items()) == list(theirs.word_docs.items())
    assert list(ours.index_docs.items()) == list(theirs.index_docs.items())
    assert ours.word_index == theirs.word_index
    assert ours.index_word == theirs.index_word
    assert ours.document_count == theirs.document_count


def _assert_same_outputs(ours, theirs, texts=PROBE, sequences=SEQUENCES):
    assert ours.texts_to_sequences(texts) == theirs.texts_to_sequences(texts)
    assert ours.sequences_to_texts(sequences) == theirs.sequences_to_texts(sequences)
    for mode in MODES:
        np.testing.assert_array_equal(ours.texts_to_matrix(texts, mode=mode),
                                      theirs.texts_to_matrix(texts, mode=mode))
        mine = ours.sequences_to_matrix(sequences, mode=mode)
        assert mine.dtype == np.float64
        np.testing.assert_array_equal(mine, theirs.sequences_to_matrix(sequences, mode=mode))


@pytest.mark.parametrize("kwargs", OPTIONS, ids=str)
def test_tokenizer_options_match_keras(kwargs):
    ours, theirs = _pair(TEXTS + TOKEN_LISTS, **kwargs)
    _assert_same_state(ours, theirs)
    assert len(ours.word_index) > 5
    _assert_same_outputs(ours, theirs, PROBE + TOKEN_LISTS + TEXTS)
    assert ours.to_json() == theirs.to_json()
    assert ours.get_config() == theirs.get_config()


def test_repeated_fits_and_fit_on_sequences_match_keras():
    ours, theirs = _pair(TEXTS[:4], oov_token="?")
    for tokenizer in (ours, theirs):
        tokenizer.fit_on_texts(TEXTS[4:] + ["the the the Nam"])
        tokenizer.fit_on_sequences([[1, 2, 2], [3], []])
    _assert_same_state(ours, theirs)
    assert ours.document_count == 14
    _assert_same_outputs(ours, theirs)


def test_sequences_only_tokenizer_matches_keras():
    ours, theirs = Tokenizer(num_words=6), legacy.Tokenizer(num_words=6)
    for tokenizer in (ours, theirs):
        tokenizer.fit_on_sequences(SEQUENCES)
    assert dict(ours.index_docs) == dict(theirs.index_docs)
    for mode in MODES:
        np.testing.assert_array_equal(ours.sequences_to_matrix(SEQUENCES, mode=mode),
                                      theirs.sequences_to_matrix(SEQUENCES, mode=mode))
    assert ours.sequences_to_matrix(SEQUENCES, mode="tfidf").shape == (5, 6)


@pytest.mark.parametrize("kwargs", [{}, {"num_words": 6, "oov_token": "<OOV>"},
                                    {"char_level": True, "lower": False}], ids=str)
def test_json_crosses_between_implementations(kwargs):
    ours, theirs = _pair(TEXTS + TOKEN_LISTS, **kwargs)
    from_keras = tokenizer_from_json(theirs.to_json())
    from_ours = legacy.tokenizer_from_json(ours.to_json(indent=2, ensure_ascii=False))
    for restored, original in ((from_keras, theirs), (from_ours, ours)):
        assert restored.to_json() == original.to_json()
        assert restored.get_config() == theirs.get_config()
    assert isinstance(next(iter(from_keras.index_word)), int)
    _assert_same_outputs(from_keras, from_ours)
    _assert_same_outputs(tokenizer_from_json(ours.to_json()), theirs)
    # A restored tokenizer keeps counting (Keras's own restored one cannot add new words).
    from_keras.fit_on_texts([["brand-new"]])
    assert from_keras.word_docs["brand-new"] == 1
    assert from_keras.document_count == json.loads(theirs.to_json())["config"][
        "document_count"] + 1


@pytest.mark.parametrize("kwargs", [{}, {"lower": False}, {"filters": ""}, {"split": ","},
                                    {"split": "\t", "filters": " "}, {"split": "ng"}], ids=str)
def test_text_to_word_sequence_matches_keras(kwargs):
    for text in TEXTS:
        assert text_to_word_sequence(text, **kwargs) == legacy.text_to_word_sequence(
            text, **kwargs)
    assert text_to_word_sequence(TEXTS[2], **kwargs)


@pytest.mark.parametrize("n", [2, 7, 1000])
def test_hashing_matches_keras(n):
    for text in TEXTS:
        for kwargs in ({}, {"lower": False, "filters": ""}, {"analyzer": str.split}):
            ours = hashing_trick(text, n, hash_function="md5", **kwargs)
            assert ours == legacy.hashing_trick(text, n, hash_function="md5", **kwargs)
            assert all(1 <= i < max(n, 2) for i in ours)
            # Python's hash is salted per process: the same process gives the same ids.
            assert one_hot(text, n, **kwargs) == legacy.one_hot(text, n, **kwargs)
            assert hashing_trick(text, n, hash_function=len, **kwargs) == (
                legacy.hashing_trick(text, n, hash_function=len, **kwargs))
