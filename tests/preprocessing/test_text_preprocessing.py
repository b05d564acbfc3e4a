"""Text preprocessing: Tokenizer and helpers, by hand and against Keras's legacy module."""

import json
import math

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

CORPUS = ["The cat sat on the mat.", "The dog ate my homework!", "My cat, my dog."]
INDEX = {"the": 1, "my": 2, "cat": 3, "dog": 4, "sat": 5, "on": 6, "mat": 7, "ate": 8,
         "homework": 9}


def _fitted(**kwargs):
    tokenizer = Tokenizer(**kwargs)
    tokenizer.fit_on_texts(CORPUS)
    return tokenizer


def test_text_to_word_sequence():
    assert text_to_word_sequence("Hello,  World!\tBye") == ["hello", "world", "bye"]
    assert text_to_word_sequence("a-b c", filters="", lower=False) == ["a-b", "c"]
    assert text_to_word_sequence("A;b;;C", split=";") == ["a", "b", "c"]


@pytest.mark.parametrize("hash_function", [None, "md5", len])
def test_hashing_trick_matches_legacy(hash_function):
    text = "The quick brown fox jumps over the lazy dog"
    ours = hashing_trick(text, 7, hash_function=hash_function)
    assert ours == legacy.hashing_trick(text, 7, hash_function=hash_function)
    assert len(ours) == 9 and all(1 <= i <= 6 for i in ours)
    assert ours[0] == ours[6]  # "the" twice


def test_hashing_trick_md5_and_one_hot():
    # md5("cat") = d077f244def8a70e5ea758bd8352fcd8
    assert hashing_trick("cat", 10, hash_function="md5") == [
        int("d077f244def8a70e5ea758bd8352fcd8", 16) % 9 + 1]
    assert hashing_trick("a b", 5, hash_function=len, analyzer=str.split) == [2, 2]
    assert one_hot("Cat dog CAT", 50) == [hash("cat") % 49 + 1, hash("dog") % 49 + 1,
                                          hash("cat") % 49 + 1]
    assert one_hot("x y z", 20) == legacy.one_hot("x y z", 20)


def test_vocabulary_by_hand():
    tokenizer = _fitted()
    assert tokenizer.document_count == 3
    assert list(tokenizer.word_counts.items()) == [
        ("the", 3), ("cat", 2), ("sat", 1), ("on", 1), ("mat", 1), ("dog", 2), ("ate", 1),
        ("my", 3), ("homework", 1)]
    assert tokenizer.word_index == INDEX
    assert tokenizer.index_word[4] == "dog"
    assert dict(tokenizer.word_docs) == {"the": 2, "cat": 2, "sat": 1, "on": 1, "mat": 1,
                                         "dog": 2, "ate": 1, "my": 2, "homework": 1}
    assert tokenizer.index_docs[1] == 2 and tokenizer.index_docs[9] == 1


def test_sequences_by_hand():
    tokenizer = _fitted()
    assert tokenizer.texts_to_sequences(["the cat ate a fish", "My dog"]) == [[1, 3, 8], [2, 4]]
    assert tokenizer.sequences_to_texts([[1, 3, 8], [2, 42]]) == ["the cat ate", "my"]
    limited = _fitted(num_words=4)
    assert limited.texts_to_sequences(["the cat ate my dog"]) == [[1, 3, 2]]
    assert limited.sequences_to_texts([[1, 4, 3]]) == ["the cat"]


def test_oov_token_by_hand():
    tokenizer = _fitted(num_words=4, oov_token="<oov>")
    assert tokenizer.word_index["<oov>"] == 1 and tokenizer.word_index["the"] == 2
    assert tokenizer.texts_to_sequences(["the cat ate a fish"]) == [[2, 1, 1, 1, 1]]
    assert tokenizer.sequences_to_texts([[2, 3, 7, 99]]) == ["the my <oov> <oov>"]


def test_char_level_and_token_lists():
    chars = Tokenizer(char_level=True)
    chars.fit_on_texts(["aAb", "b"])
    assert chars.word_index == {"a": 1, "b": 2}
    assert chars.texts_to_sequences(["bac"]) == [[2, 1]]
    tokens = Tokenizer()
    tokens.fit_on_texts([["New York", "is"], ["new york"]])
    assert tokens.word_index == {"new york": 1, "is": 2}


def test_matrices_by_hand():
    tokenizer = _fitted()
    seqs = [[1, 3, 1], [2], []]
    binary = tokenizer.sequences_to_matrix(seqs, mode="binary")
    assert binary.shape == (3, 10) and binary.dtype == np.float64
    assert np.flatnonzero(binary[0]).tolist() == [1, 3] and binary[0].sum() == 2
    count = tokenizer.sequences_to_matrix(seqs, mode="count")
    assert (count[0, 1], count[0, 3], count[1, 2], count[2].sum()) == (2, 1, 1, 0)
    freq = tokenizer.sequences_to_matrix(seqs, mode="freq")
    np.testing.assert_allclose(freq[0, [1, 3]], [2 / 3, 1 / 3])
    tfidf = tokenizer.sequences_to_matrix(seqs, mode="tfidf")
    # "the" occurs twice here and in 2 of 3 documents: (1 + log 2) * log(1 + 3 / 3).
    np.testing.assert_allclose(tfidf[0, 1], (1 + math.log(2)) * math.log(2))
    np.testing.assert_allclose(tfidf[1, 2], math.log(2))
    np.testing.assert_array_equal(tokenizer.texts_to_matrix(["the cat the"], mode="count"),
                                  count[:1])
    assert _fitted(num_words=3).texts_to_matrix(["the cat my"]).tolist() == [[0, 1, 1]]


def test_fit_on_sequences_and_errors():
    tokenizer = Tokenizer(num_words=5)
    tokenizer.fit_on_sequences([[1, 2, 2], [2, 3]])
    assert tokenizer.document_count == 2
    assert dict(tokenizer.index_docs) == {1: 1, 2: 2, 3: 1}
    np.testing.assert_allclose(tokenizer.sequences_to_matrix([[2]], mode="tfidf")[0, 2],
                               math.log(1 + 2 / 3))
    with pytest.raises(ValueError, match=r"Specify a dimension \(`num_words` argument\)"):
        Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(ValueError, match="Fit the Tokenizer on some data before using tfidf"):
        Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")
    with pytest.raises(ValueError, match=r"Received: mode='tf'"):
        tokenizer.sequences_to_matrix([[1]], mode="tf")


@pytest.mark.parametrize("kwargs", [{}, {"num_words": 5}, {"oov_token": "?"},
                                    {"num_words": 3, "oov_token": "?"}, {"char_level": True},
                                    {"lower": False, "filters": "."}])
def test_matches_legacy_tokenizer(kwargs):
    ours, theirs = Tokenizer(**kwargs), legacy.Tokenizer(**kwargs)
    ours.fit_on_texts(CORPUS)
    theirs.fit_on_texts(CORPUS)
    probe = CORPUS + ["an unseen cat, THE end"]
    assert ours.texts_to_sequences(probe) == theirs.texts_to_sequences(probe)
    seqs = theirs.texts_to_sequences(probe) + [[0, 1, 50, 2]]
    assert ours.sequences_to_texts(seqs) == theirs.sequences_to_texts(seqs)
    for mode in ("binary", "count", "tfidf", "freq"):
        np.testing.assert_allclose(ours.texts_to_matrix(probe, mode=mode),
                                   theirs.texts_to_matrix(probe, mode=mode), rtol=1e-15)
    assert ours.to_json() == theirs.to_json()


def test_json_round_trip():
    tokenizer = _fitted(num_words=6, oov_token="<oov>")
    text = tokenizer.to_json(indent=1)
    assert json.loads(text)["class_name"] == "Tokenizer"
    assert json.loads(text)["config"]["num_words"] == 6
    restored = tokenizer_from_json(text)
    assert restored.word_index == tokenizer.word_index
    assert restored.index_word == tokenizer.index_word and 3 in restored.index_word
    assert restored.to_json() == tokenizer.to_json()
    probe = ["the dog sat on a cat"]
    assert restored.texts_to_sequences(probe) == tokenizer.texts_to_sequences(probe)
    np.testing.assert_array_equal(restored.texts_to_matrix(probe, mode="tfidf"),
                                  tokenizer.texts_to_matrix(probe, mode="tfidf"))
    restored.fit_on_sequences([[1, 20]])
    assert restored.document_count == 4 and restored.index_docs[20] == 1
    # Files cross between the two implementations.
    assert legacy.tokenizer_from_json(text).word_index == tokenizer.word_index
    assert tokenizer_from_json(legacy.Tokenizer().to_json()).document_count == 0
