"""`TextVectorization`: strings to token indices, multi-hot, counts or TF-IDF, as Keras does.

The pipeline per string: standardize (lower-case, strip punctuation), split (whitespace or
characters), optional n-grams joined by spaces, then a vocabulary lookup. `adapt` learns the
vocabulary by frequency (ties in reverse byte order, Keras's order); index 0 is the padding
token '' and 1 the out-of-vocabulary token '[UNK]' for `output_mode="int"`, while the other
modes reserve only index 0 for '[UNK]'. Strings are handled in Python on the host; the output
is a tensor on the default device.

As in Keras (whose string ops are TensorFlow's), lowercasing and whitespace splitting are
ASCII-only: "ĐÀ NẴNG" standardizes to "ĐÀ nẴng", and a no-break space does not split words.
Saving follows Keras's layout, so `.keras` files cross between the libraries: the learned
vocabulary goes to the asset file `vocabulary.txt` (one token per line, special tokens first)
and "tf_idf"'s IDF weights to the variable `idf_weights`; both are written twice, for the
layer and for Keras's inner lookup layer (`_lookup_layer`). A vocabulary given to the
constructor lives in the config instead.
"""

from __future__ import annotations

import collections
import json
import math
import os
import re
import string

import numpy as np
import torch

from hocsau import config
from hocsau.layers.layer import Layer
from hocsau.layers.preprocessing._lookup_state import canonical_output_mode
from hocsau.models.symbolic import Spec
from hocsau.saving.safe_paths import check_config_path
from hocsau.saving.serialization import keras_class
from hocsau.utils.naming import uniquify

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_MODES = ("int", "multi_hot", "count", "tf_idf")
_STANDARDIZE = (None, "lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = (None, "whitespace", "character")
_MASK, _OOV = "", "[UNK]"
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ASCII_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")
_VOCABULARY_FILENAME = "vocabulary.txt"
# Written beside it only for tokens a line-based file cannot hold (Keras cannot reload those).
_EXACT_VOCABULARY_FILENAME = "vocabulary.json"


@keras_class("keras.layers")
class TextVectorization(Layer):
    """Turns a batch of strings into token ids (`"int"`) or per-token vectors.

    Args:
        max_tokens: Vocabulary size limit, special tokens included.
        standardize: "lower_and_strip_punctuation", "lower", "strip_punctuation", None or a
            callable str -> str.
        split: "whitespace", "character", None or a callable str -> list of str.
        ngrams: None, an int n (all n-grams up to n) or a tuple of n-gram sizes.
        output_mode: "int", "multi_hot", "count" or "tf_idf" (Keras's older spellings
            "binary" and "tf-idf" are accepted for the last two).
        output_sequence_length: With "int", pad or cut every sequence to this length.
        pad_to_max_tokens: With the other modes, output `max_tokens` columns.
        vocabulary: A list of tokens (or a path to a file with one per line).
        idf_weights: With "tf_idf" and a given vocabulary, its inverse document frequencies.
    """

    _convert_input_args = False  # strings reach `call` as given

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", **kwargs):
        kwargs.pop("vocabulary_size", None)
        super().__init__(**kwargs)
        output_mode = canonical_output_mode(output_mode)
        _check_arguments(max_tokens, standardize, split, ngrams, output_mode,
                         output_sequence_length, sparse, ragged)
        self.max_tokens, self.standardize, self.split = max_tokens, standardize, split
        self.ngrams = ngrams
        self._ngram_sizes = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self.output_mode, self.output_sequence_length = output_mode, output_sequence_length
        self.pad_to_max_tokens, self.sparse, self.ragged = pad_to_max_tokens, sparse, ragged
        self.encoding = encoding
        self._input_vocabulary, self._input_idf = vocabulary, idf_weights
        self._vocabulary, self._index, self._idf, self._oov_idf = [], {}, None, 0.0
        self._lookup_layer = _LookupLayerState(self)
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # --- vocabulary ---------------------------------------------------------------------------
    def _specials(self) -> list:
        return [_MASK, _OOV] if self.output_mode == "int" else [_OOV]

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        return (self._specials() if include_special_tokens else []) + list(self._vocabulary)

    def vocabulary_size(self) -> int:
        return len(self._specials()) + len(self._vocabulary)

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Use `vocabulary` (tokens, or a file of one token per line); special tokens at its
        start are accepted and dropped."""
        check_config_path(self, "vocabulary", vocabulary)
        check_config_path(self, "idf_weights", idf_weights)
        if isinstance(vocabulary, (str, os.PathLike)):
            with open(vocabulary, encoding=self.encoding) as f:
                vocabulary = [line.rstrip("\n") for line in f]
        tokens = [t.decode(self.encoding) if isinstance(t, bytes) else str(t)
                  for t in np.asarray(vocabulary).reshape(-1).tolist()]
        specials = self._specials()
        given_specials = tokens[:len(specials)] == specials
        if given_specials:
            tokens = tokens[len(specials):]
        if len(set(tokens)) != len(tokens) or _MASK in tokens:
            raise ValueError("The passed vocabulary has at least one repeated term, or the mask "
                             f"token '' past its start. Received: vocabulary={vocabulary}")
        if self.max_tokens is not None and len(tokens) + len(specials) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. "
                             f"Received vocabulary size is {len(tokens) + len(specials)}; "
                             f"`max_tokens` is {self.max_tokens}.")
        if self.output_mode == "tf_idf":
            self._set_idf(idf_weights, len(tokens) + len(specials) * given_specials,
                          given_specials)
        elif idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is 'tf_idf'. "
                             f"Received: output_mode={self.output_mode}")
        self._set_tokens(tokens)

    def _set_tokens(self, tokens: list) -> None:
        self._vocabulary = tokens
        self._index = {t: i + len(self._specials()) for i, t in enumerate(tokens)}

    def _set_idf(self, idf_weights, vocabulary_length: int, given_specials: bool) -> None:
        """IDF weights for a given vocabulary, one per entry of it; without the special
        tokens in the vocabulary, OOV gets the mean weight."""
        if idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        idf = np.asarray(idf_weights, dtype="float64").reshape(-1)
        if len(idf) != vocabulary_length:
            raise ValueError(f"`idf_weights` must be the same length as vocabulary. "
                             f"len(idf_weights) is {len(idf)}; len(vocabulary) is "
                             f"{vocabulary_length}")
        if given_specials:
            self._oov_idf, self._idf = float(idf[0]), idf[1:].astype("float32")
        else:
            self._oov_idf, self._idf = float(idf.mean()), idf.astype("float32")

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary (and IDF weights) from strings: a list, an array or an iterable
        of batches."""
        counts, documents, num_documents = collections.Counter(), collections.Counter(), 0
        for text in _strings(data):
            tokens = self._tokens(text)
            counts.update(tokens)
            documents.update(set(tokens))
            num_documents += 1
        for special in (_MASK, _OOV):  # never learned, whatever the output mode
            counts.pop(special, None)
        order = sorted(counts, key=lambda t: (counts[t], t.encode(self.encoding)), reverse=True)
        if self.max_tokens is not None:
            order = order[:self.max_tokens - len(self._specials())]
        self._set_tokens(order)
        if self.output_mode == "tf_idf":
            self._idf = np.array([math.log(1 + num_documents / (1 + documents[t]))
                                  for t in order], dtype="float32")
            self._oov_idf = float(self._idf.mean()) if len(order) else 0.0

    # --- the pipeline -------------------------------------------------------------------------
    def _standardized(self, text: str) -> str:
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.translate(_ASCII_LOWER)
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        if callable(self.standardize):
            text = self.standardize(text)
        return text

    def _tokens(self, text: str) -> list:
        text = self._standardized(text)
        if self.split == "whitespace":
            tokens = [token for token in _ASCII_WHITESPACE.split(text) if token]
        elif self.split == "character":
            tokens = list(text)
        elif callable(self.split):
            tokens = list(self.split(text))
        else:
            tokens = [text]
        if self._ngram_sizes:
            tokens = [" ".join(tokens[i:i + n]) for n in self._ngram_sizes
                      for i in range(len(tokens) - n + 1)]
        return tokens

    def call(self, inputs):
        if self.split is None:
            return self._call_unsplit(inputs)
        single = isinstance(inputs, (str, bytes))
        shape = np.shape(inputs)
        if len(shape) > 1 and shape[-1] != 1:
            raise ValueError("When using `TextVectorization` to tokenize strings, the input "
                             "rank must be 1 or the last shape dimension must be 1. Received: "
                             f"inputs.shape={shape}")
        texts = list(_strings([inputs] if single else inputs))
        rows = [self._ids(self._tokens(text)) for text in texts]
        out = self._encode_int(rows) if self.output_mode == "int" else self._encode_bag(rows)
        return out[0] if single else out

    def _call_unsplit(self, inputs):
        """`split=None`: every string is one token and the input's last axis is the token
        sequence, as in Keras (so a 1-D batch is a single sequence, a string one token)."""
        shape = np.shape(inputs)
        tokens = [self._standardized(text) for text in _strings(inputs)]
        if len(shape) < 2:
            rows = [self._ids(tokens)]
        else:
            width = shape[-1]
            rows = [self._ids(tokens[i * width:(i + 1) * width])
                    for i in range(math.prod(shape[:-1]))]
        out = self._encode_int(rows) if self.output_mode == "int" else self._encode_bag(rows)
        if len(shape) >= 2:
            return out.reshape(shape[:-1] + tuple(out.shape[1:]))
        return out[0, 0] if not shape and self.output_mode == "int" else out[0]

    def _ids(self, tokens: list) -> list:
        """Token ids: the mask token '' is 0 for "int" and is not counted by the other
        modes; unknown tokens are the OOV index."""
        if self.output_mode == "int":
            return [0 if t == _MASK else self._index.get(t, 1) for t in tokens]
        return [self._index.get(t, 0) for t in tokens if t != _MASK]

    def _encode_int(self, rows: list) -> torch.Tensor:
        length = self.output_sequence_length or max((len(r) for r in rows), default=0)
        ids = np.zeros((len(rows), length), dtype="int64")
        for i, row in enumerate(rows):
            row = row[:length]
            ids[i, :len(row)] = row
        return torch.from_numpy(ids).to(config.device())

    def _width(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens and self.max_tokens \
            else self.vocabulary_size()

    def _idf_vector(self) -> np.ndarray:
        """One IDF weight per output column: OOV's first, zeros past the vocabulary."""
        idf = np.zeros(self._width(), dtype="float32")
        if self._idf is not None and len(idf):
            count = min(len(self._idf), len(idf) - 1)
            idf[1:1 + count] = self._idf[:count]
            idf[0] = self._oov_idf
        return idf

    def _encode_bag(self, rows: list) -> torch.Tensor:
        width = self._width()
        bags = np.zeros((len(rows), width), dtype="float32")
        for i, row in enumerate(rows):
            np.add.at(bags[i], row, 1.0)
        if self.output_mode == "multi_hot":
            bags = (bags > 0).astype("float32")
        elif self.output_mode == "tf_idf":
            bags = bags * self._idf_vector()
        return torch.from_numpy(bags).to(config.device())

    # --- saving ------------------------------------------------------------------------------
    def save_own_variables(self, store) -> None:
        """For "tf_idf", Keras's `idf_weights`: one per output column, OOV first."""
        if self.output_mode == "tf_idf":
            store["idf_weights"] = self._idf_vector()

    def load_own_variables(self, store) -> None:
        """Restores what `save_own_variables` wrote; a missing entry leaves the layer as is."""
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            idf = np.asarray(store["idf_weights"], dtype="float32").reshape(-1)
            self._oov_idf = float(idf[0]) if len(idf) else 0.0
            self._idf = idf[1:]

    def save_assets(self, dir_path: str) -> None:
        """Writes the learned vocabulary, special tokens first, as Keras's `vocabulary.txt`."""
        if self._input_vocabulary is not None:
            return
        tokens = self.get_vocabulary()
        with open(os.path.join(dir_path, _VOCABULARY_FILENAME), "w", encoding="utf-8",
                  newline="") as f:
            f.write("\n".join(tokens))
        if any(token.splitlines() != [token] for token in self._vocabulary):
            with open(os.path.join(dir_path, _EXACT_VOCABULARY_FILENAME), "w",
                      encoding="utf-8") as f:
                json.dump(tokens, f)

    def load_assets(self, dir_path: str) -> None:
        """Reads the vocabulary `save_assets` (or Keras) wrote, as Keras reads it."""
        if self._input_vocabulary is not None:
            return
        exact = os.path.join(dir_path, _EXACT_VOCABULARY_FILENAME)
        if os.path.exists(exact):
            with open(exact, encoding="utf-8") as f:
                tokens = json.load(f)
        else:
            with open(os.path.join(dir_path, _VOCABULARY_FILENAME), encoding="utf-8") as f:
                tokens = f.read().splitlines()
            while tokens and tokens[-1] == "":
                tokens.pop()
        specials = self._specials()
        self._set_tokens(tokens[len(specials):] if tokens[:len(specials)] == specials
                         else tokens)

    def compute_output_spec(self, inputs):
        """Strings never run on the meta device: the spec comes from the shapes."""
        return Spec(self.compute_output_shape(inputs.shape),
                    "int64" if self.output_mode == "int" else "float32")

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        width = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        return (input_shape[0], width)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "standardize": self.standardize, "split": self.split, "ngrams": self.ngrams,
                "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": self.pad_to_max_tokens, "sparse": self.sparse,
                "ragged": self.ragged, "vocabulary": _listed(self._input_vocabulary),
                "idf_weights": _listed(self._input_idf), "encoding": self.encoding,
                "vocabulary_size": self.vocabulary_size()}


class _LookupLayerState:
    """Stands where Keras's TextVectorization keeps its inner StringLookup layer
    (`_lookup_layer`), which Keras saves too: a nested variables group and asset folder with
    the same contents as the layer's own. It saves and restores its layer's state."""

    def __init__(self, layer: TextVectorization):
        self.name = uniquify("string_lookup")
        self._layer = layer

    def save_own_variables(self, store) -> None:
        self._layer.save_own_variables(store)

    def load_own_variables(self, store) -> None:
        self._layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        self._layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._layer.load_assets(dir_path)


def _listed(value):
    return value.tolist() if isinstance(value, np.ndarray) else value


def _strings(data):
    """Every string in `data`: a string, a list / array of strings (any rank with a last axis
    of 1), or an iterable of such batches (`(x, y)` pairs give their `x`)."""
    if isinstance(data, bytes):
        yield data.decode("utf-8")
    elif isinstance(data, str):
        yield data
    elif isinstance(data, np.ndarray):
        for item in data.reshape(-1).tolist():
            yield item.decode("utf-8") if isinstance(item, bytes) else str(item)
    else:
        for item in data:
            if isinstance(item, tuple) and item and not isinstance(item[0], str):
                item = item[0]
            yield from _strings(item)


def _check_arguments(max_tokens, standardize, split, ngrams, output_mode, sequence_length,
                     sparse, ragged) -> None:
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise ValueError(f"`max_tokens` must be a positive int. Received: max_tokens={max_tokens}")
    if not callable(standardize) and standardize not in _STANDARDIZE:
        raise ValueError(f"Invalid value for argument `standardize`: expected one of "
                         f"{_STANDARDIZE} or a callable. Received: standardize={standardize}")
    if not callable(split) and split not in _SPLIT:
        raise ValueError(f"Invalid value for argument `split`: expected one of {_SPLIT} or a "
                         f"callable. Received: split={split}")
    if ngrams is not None and not (isinstance(ngrams, int) and ngrams > 0) and not (
            isinstance(ngrams, tuple) and all(isinstance(n, int) and n > 0 for n in ngrams)):
        raise ValueError("`ngrams` must be None, an integer, or a tuple of integers. "
                         f"Received: ngrams={ngrams}")
    if output_mode not in _MODES:
        raise ValueError(f"Invalid value for argument `output_mode`: expected one of {_MODES}. "
                         f"Received: output_mode={output_mode}")
    if sequence_length is not None and output_mode != "int":
        raise ValueError("`output_sequence_length` must not be set if `output_mode` is not "
                         f"'int'. Received: output_sequence_length={sequence_length}")
    if sparse or ragged:
        raise ValueError("`sparse` and `ragged` outputs need TensorFlow; hocsau returns dense "
                         f"tensors. Received: sparse={sparse}, ragged={ragged}")
