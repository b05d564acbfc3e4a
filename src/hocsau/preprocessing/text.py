"""Legacy text preprocessing: the Keras 1/2 `Tokenizer` and its helper functions.

Keras 3 keeps these only under `keras._legacy.preprocessing.text`; they are here so old
pipelines run unchanged. Index 0 is never given to a word: it is left for padding.
"""

from __future__ import annotations

import collections
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator

import numpy as np

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MATRIX_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(input_text: str, filters: str = DEFAULT_FILTERS, lower: bool = True,
                          split: str = " ") -> list[str]:
    """Splits a text into words: lowercases, turns each filter character into `split`,
    splits on `split` and drops empty pieces.

    Example:
        >>> text_to_word_sequence("Hello, World!")
        ['hello', 'world']
    """
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in input_text.split(split) if word]


def one_hot(input_text: str, n: int, filters: str = DEFAULT_FILTERS, lower: bool = True,
            split: str = " ", analyzer: Callable | None = None) -> list[int]:
    """`hashing_trick` with Python's `hash`: word ids in `[1, n - 1]`, collisions possible.

    Python salts string hashes per process, so ids differ between runs; use
    `hashing_trick(..., hash_function="md5")` for stable ids.
    """
    return hashing_trick(input_text, n, hash_function=hash, filters=filters, lower=lower,
                         split=split, analyzer=analyzer)


def hashing_trick(text: str, n: int, hash_function: Callable | str | None = None,
                  filters: str = DEFAULT_FILTERS, lower: bool = True, split: str = " ",
                  analyzer: Callable | None = None) -> list[int]:
    """Maps each word to `hash_function(word) % (n - 1) + 1`, an id in `[1, n - 1]`.

    Args:
        text: the text.
        n: size of the hashing space (id 0 stays free).
        hash_function: `None` (Python's `hash`), `"md5"` (stable across runs) or a callable
            from string to int.
        filters, lower, split: as in `text_to_word_sequence`.
        analyzer: a callable splitting the text instead of `text_to_word_sequence`.
    """
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        hash_function = _md5
    words = text_to_word_sequence(text, filters, lower, split) if analyzer is None else (
        analyzer(text))
    return [hash_function(word) % (n - 1) + 1 for word in words]


def _md5(word: str) -> int:
    return int(hashlib.md5(word.encode()).hexdigest(), 16)


class Tokenizer:
    """Builds a word (or character) vocabulary and turns texts into id sequences or matrices.

    Words are indexed by decreasing count, ties in order of first appearance, starting at 1
    (at 2 when `oov_token` is set: it takes index 1).

    Args:
        num_words: if set, only ids below `num_words` (the `num_words - 1` most common
            words) are produced by `texts_to_sequences` and the matrices.
        filters: characters removed from texts (default: punctuation, tab and newline).
        lower: whether to lowercase texts.
        split: the word separator.
        char_level: whether every character is a token.
        oov_token: a token standing for words outside the vocabulary; without it they are
            dropped.
        analyzer: a callable splitting a text into tokens (instead of
            `text_to_word_sequence`); not saved by `get_config`.
        document_count: number of documents already seen (used when restoring from JSON).

    Attributes:
        word_counts: `OrderedDict` word -> count, in order of first appearance.
        word_docs: word -> number of documents containing it.
        word_index, index_word: word -> id and id -> word.
        index_docs: id -> number of documents containing it.
        document_count: number of documents fitted on.

    Example:
        >>> tokenizer = Tokenizer()
        >>> tokenizer.fit_on_texts(["the cat", "the dog"])
        >>> tokenizer.texts_to_sequences(["the dog barks"])
        [[1, 3]]
    """

    def __init__(self, num_words: int | None = None, filters: str = DEFAULT_FILTERS,
                 lower: bool = True, split: str = " ", char_level: bool = False,
                 oov_token: str | None = None, analyzer: Callable | None = None, *,
                 document_count: int = 0):
        self.num_words = num_words
        self.filters = filters
        self.lower = lower
        self.split = split
        self.char_level = char_level
        self.oov_token = oov_token
        self.analyzer = analyzer
        self.document_count = document_count
        self.word_counts = collections.OrderedDict()
        self.word_docs = collections.defaultdict(int)
        self.index_docs = collections.defaultdict(int)
        self.word_index = {}
        self.index_word = {}

    def fit_on_texts(self, texts: Iterable) -> None:
        """Counts the words of `texts` (strings, or lists of tokens) and rebuilds the index."""
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for token in tokens:
                self.word_counts[token] = self.word_counts.get(token, 0) + 1
            for token in set(tokens):
                self.word_docs[token] += 1
        # sorted() is stable, so equal counts keep their first-appearance order.
        ranked = sorted(self.word_counts, key=self.word_counts.get, reverse=True)
        vocabulary = ([] if self.oov_token is None else [self.oov_token]) + ranked
        self.word_index = {word: i for i, word in enumerate(vocabulary, start=1)}
        self.index_word = {i: word for word, i in self.word_index.items()}
        for word, docs in self.word_docs.items():
            self.index_docs[self.word_index[word]] = docs

    def fit_on_sequences(self, sequences: list) -> None:
        """Counts document frequencies of ids (needed by `tfidf` without `fit_on_texts`)."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences(self, texts: Iterable) -> list[list[int]]:
        """The id sequence of every text (see `texts_to_sequences_generator`)."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts: Iterable) -> Iterator[list[int]]:
        """Yields each text's ids; unknown words, and ids `>= num_words`, become the
        `oov_token` id or are dropped when there is none."""
        oov_index = self.word_index.get(self.oov_token)
        for text in texts:
            ids = (self.word_index.get(token) for token in self._tokens(text))
            ids = (i if i is not None and self._kept(i) else oov_index for i in ids)
            yield [i for i in ids if i is not None]

    def sequences_to_texts(self, sequences: Iterable) -> list[str]:
        """The space-joined words of every id sequence (see `sequences_to_texts_generator`)."""
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences: Iterable) -> Iterator[str]:
        """Yields each sequence as text; unknown ids, and ids `>= num_words`, become the
        `oov_token` or are dropped when there is none."""
        oov_index = self.word_index.get(self.oov_token)
        for seq in sequences:
            ids = (i if i in self.index_word and self._kept(i) else oov_index for i in seq)
            yield " ".join(self.index_word[i] for i in ids if i is not None)

    def texts_to_matrix(self, texts: Iterable, mode: str = "binary") -> np.ndarray:
        """`sequences_to_matrix` of `texts_to_sequences(texts)`."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences: list, mode: str = "binary") -> np.ndarray:
        """A `(len(sequences), num_words)` float64 matrix, one row per sequence.

        Args:
            sequences: lists of ids; ids `>= num_words` are ignored.
            mode: `"binary"` (1 where the id occurs), `"count"`, `"freq"` (count divided by
                the sequence length) or `"tfidf"` (`(1 + log(count)) *
                log(1 + document_count / (1 + docs_containing_id))`).
        """
        if mode not in MATRIX_MODES:
            raise ValueError(f"Unknown vectorization mode. Expected one of {MATRIX_MODES}. "
                             f"Received: mode={mode!r}")
        if self.num_words:
            num_words = self.num_words
        elif self.word_index:
            num_words = len(self.word_index) + 1
        else:
            raise ValueError("Specify a dimension (`num_words` argument), "
                             "or fit on some text data first.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode.")
        matrix = np.zeros((len(sequences), num_words))
        for row, seq in enumerate(sequences):
            counts = collections.Counter(i for i in seq if i < num_words)
            for i, count in counts.items():
                matrix[row, i] = self._weight(mode, i, count, len(seq))
        return matrix

    def get_config(self) -> dict:
        """The settings and vocabulary; the dictionaries are stored as JSON strings."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs) -> str:
        """`{"class_name": "Tokenizer", "config": get_config()}` as JSON; `kwargs` go to
        `json.dumps`. Read it back with `tokenizer_from_json`."""
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()},
                          **kwargs)

    def _tokens(self, text) -> list[str] | str:
        """A text's tokens: its characters (char_level), its items (a list), or its words."""
        if self.char_level or isinstance(text, list):
            if not self.lower:
                return text
            return [t.lower() for t in text] if isinstance(text, list) else text.lower()
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def _kept(self, index: int) -> bool:
        return not self.num_words or index < self.num_words

    def _weight(self, mode: str, index: int, count: int, length: int) -> float:
        if mode == "binary":
            return 1.0
        if mode == "count":
            return count
        if mode == "freq":
            return count / length
        # tf-idf, weighting scheme 2 of https://en.wikipedia.org/wiki/Tf-idf
        idf = np.log(1 + self.document_count / (1 + self.index_docs.get(index, 0)))
        return (1 + np.log(count)) * idf


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """Rebuilds a `Tokenizer` from the string `Tokenizer.to_json` wrote."""
    config = dict(json.loads(json_string)["config"])
    vocab = {key: json.loads(config.pop(key))
             for key in ("word_counts", "word_docs", "index_docs", "index_word", "word_index")}
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = collections.OrderedDict(vocab["word_counts"])
    tokenizer.word_docs = collections.defaultdict(int, vocab["word_docs"])
    # JSON turned the integer keys into strings.
    tokenizer.index_docs = collections.defaultdict(
        int, {int(i): docs for i, docs in vocab["index_docs"].items()})
    tokenizer.index_word = {int(i): word for i, word in vocab["index_word"].items()}
    tokenizer.word_index = vocab["word_index"]
    return tokenizer
