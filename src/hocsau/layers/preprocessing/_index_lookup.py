"""`IndexLookup`: the vocabulary lookup shared by `StringLookup` and `IntegerLookup`, as Keras's
`IndexLookup` behaves, computed on the host with numpy and a Python dict (no TensorFlow).

Index layout for `output_mode="int"`: the mask token (if any) at 0, then `num_oov_indices` OOV
slots, then the vocabulary; the other modes leave the mask token out. Values outside the
vocabulary go to the single OOV slot or, with several, to `hash % num_oov_indices`:
FarmHash64 (SipHash with a `salt`) of the string form, or `value % num_oov_indices` for
integers under `oov_method="floormod"` — TensorFlow's choices, so the buckets match Keras's.
"""

from __future__ import annotations

import os

import numpy as np
import torch

from hocsau.layers.layer import Layer
from hocsau.layers.preprocessing import _categorical, _lookup_state
from hocsau.layers.preprocessing._farmhash import fingerprint64
from hocsau.layers.preprocessing._siphash import siphash24
from hocsau.models.symbolic import Spec
from hocsau.saving.safe_paths import check_config_path

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_VOCABULARY_FILENAME = "vocabulary.txt"


class IndexLookup(Layer):
    """Maps tokens to indices (or back, with `invert`) through a vocabulary that is given or
    learned by `adapt`. Subclasses say whether tokens are strings (`_strings`)."""

    _strings = True
    _convert_input_args = False

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, oov_method="floormod", salt=None, **kwargs):
        self._frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("dtype", None)
        super().__init__(**kwargs)
        output_mode = _lookup_state.canonical_output_mode(output_mode)
        _lookup_state.check_arguments(self, max_tokens, num_oov_indices, output_mode, invert,
                                      idf_weights, pad_to_max_tokens, oov_method, salt, _MODES)
        _categorical.check_dense(sparse, type(self).__name__)
        self.invert, self.max_tokens, self.num_oov_indices = invert, max_tokens, num_oov_indices
        self.mask_token, self.oov_token, self.output_mode = mask_token, oov_token, output_mode
        self.sparse, self.pad_to_max_tokens, self.oov_method = sparse, pad_to_max_tokens, oov_method
        self.salt = [salt, salt] if isinstance(salt, int) else (
            list(salt) if salt is not None else None)
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input_vocabulary
        self._tokens, self._index, self.idf_weights = [], {}, None
        self._vocabulary_set = False
        if output_mode == "tf_idf" and has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, "
                             "the `idf_weights` argument must also be provided. Received: "
                             "idf_weights=None")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # --- vocabulary ---------------------------------------------------------------------------
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def _special_tokens(self) -> list:
        return [self.mask_token] * self._oov_start_index() + \
            [self.oov_token] * self.num_oov_indices

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary, in index order (special tokens first unless left out)."""
        specials = self._special_tokens() if include_special_tokens else []
        return specials + list(self._tokens)

    def vocabulary_size(self) -> int:
        """The number of indices: vocabulary plus mask and OOV slots."""
        return len(self._tokens) + self._token_start_index()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Use `vocabulary` (a sequence of tokens or a file with one per line), replacing the
        current one; special tokens at its start, in index order, are accepted. For "tf_idf",
        `idf_weights` gives one weight per vocabulary entry."""
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'. Received: "
                             "idf_weights=None")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                             f"Received: output_mode={self.output_mode} and "
                             f"idf_weights={idf_weights}")
        check_config_path(self, "vocabulary", vocabulary)
        check_config_path(self, "idf_weights", idf_weights)
        if isinstance(vocabulary, (str, os.PathLike)):
            if self.output_mode == "tf_idf":
                raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary "
                                 f"from file. Received: vocabulary={vocabulary}")
            vocabulary = self._read_vocabulary_file(vocabulary)
        values = _lookup_state.vocabulary_values(vocabulary, self)
        if not values:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        specials = self._special_tokens()
        found_specials = values[:len(specials)] == specials
        tokens = values[len(specials):] if found_specials else values
        _lookup_state.check_vocabulary(self, tokens, specials)
        self._set_tokens(tokens)
        if idf_weights is not None:
            self.idf_weights = _lookup_state.padded_idf(self, idf_weights, len(values),
                                                        found_specials)

    def _read_vocabulary_file(self, path) -> list:
        if not os.path.exists(path):
            raise ValueError(f"Vocabulary file {path} does not exist.")
        with open(path, encoding=getattr(self, "encoding", "utf-8")) as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return lines if self._strings else [int(line) for line in lines]

    def _set_tokens(self, tokens: list) -> None:
        size = len(tokens) + self._token_start_index()
        if self.output_mode != "int" and not self.pad_to_max_tokens and \
                self._frozen_vocab_size is not None and size != self._frozen_vocab_size:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "the vocabulary size cannot be changed after the layer is called. Old vocab "
                f"size is {self._frozen_vocab_size}, new vocab size is {size}")
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {token: start + i for i, token in enumerate(self._tokens)}
        self._frozen_vocab_size = size
        self._vocabulary_set = True

    def adapt(self, data, steps=None) -> None:
        """Learn the vocabulary from `data` (a list, array or tensor, or a `Dataset` /
        iterable of batches): tokens by decreasing count, ties by decreasing token, cut to
        `max_tokens`; "tf_idf" also learns inverse document frequencies."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             "vocabulary via `vocabulary` argument or `set_vocabulary()` method.")
        counter = _lookup_state.TokenCounter(self.output_mode == "tf_idf")
        for batch in _lookup_state.batches(data, steps):
            counter.update(_categorical.host_array(batch, self._strings, self._encoding()))
        if not counter.counts:
            return
        for special in (self.mask_token, self.oov_token):
            counter.counts.pop(special, None)
        tokens = sorted(counter.counts, key=lambda t: (counter.counts[t], self._sort_key(t)),
                        reverse=True)
        if self.max_tokens:
            tokens = tokens[:self.max_tokens - self._token_start_index()]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            self.idf_weights = _lookup_state.learned_idf(self, counter, tokens)

    def _sort_key(self, token):
        return token.encode("utf-8") if self._strings else token

    def _encoding(self) -> str:
        return getattr(self, "encoding", "utf-8")

    # --- the lookup ---------------------------------------------------------------------------
    def call(self, inputs):
        if self.invert:
            return self._invert(inputs)
        if self.output_mode != "int" and not self.pad_to_max_tokens and \
                not self._vocabulary_set and self._frozen_vocab_size is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "you must set the layer's vocabulary before calling it. Either pass a "
                "`vocabulary` argument to the layer, or call `adapt` with some sample data.")
        ids = _categorical.to_output(self._ids(inputs))
        if self.output_mode == "int":
            return ids
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = _categorical.encode(ids, mode, depth, "float32")
        if self.output_mode == "tf_idf":
            out = out * torch.as_tensor(self.idf_weights, device=out.device)
        return out

    def _ids(self, inputs) -> np.ndarray:
        """The ids of `inputs`; a ragged batch (rows of unequal lengths) is padded with -1,
        which the reducing modes ("multi_hot", "count", "tf_idf") count as nothing."""
        rows = _categorical.ragged_rows(inputs)
        if rows is None:
            return self._lookup(_categorical.host_array(inputs, self._strings, self._encoding()))
        if self.output_mode in ("int", "one_hot"):
            raise ValueError(
                f"Layer '{self.name}' received a ragged batch (rows of lengths "
                f"{sorted({len(row) for row in rows})}) with output_mode='{self.output_mode}': "
                "hocsau has no ragged tensors, so pad the rows to one length, or use a mode "
                "that reduces each row (multi_hot, count, tf_idf).")
        flat = np.array([token for row in rows for token in row], dtype=object)
        values = _categorical.host_array(flat, self._strings, self._encoding())
        return _categorical.pad_ragged(rows, self._lookup(values))

    def _lookup(self, values: np.ndarray) -> np.ndarray:
        """Indices for an array of tokens, computed once per distinct token."""
        unique, inverse = np.unique(values.reshape(-1), return_inverse=True)
        unique_list = unique.tolist()
        ids = np.array([self._index.get(t, -1) for t in unique_list], dtype="int64")
        unknown = ids == -1
        if self.mask_token is not None:
            masked = np.array([t == self.mask_token for t in unique_list], dtype=bool)
            ids[masked] = 0 if self.output_mode == "int" else -1
            unknown &= ~masked
        if unknown.any():
            ids[unknown] = self._oov_indices([unique_list[i] for i in np.flatnonzero(unknown)])
        return ids[inverse].reshape(values.shape)

    def _oov_indices(self, tokens: list) -> list:
        if self.num_oov_indices == 0:
            raise ValueError("When `num_oov_indices=0` all inputs should be in vocabulary, found "
                             f"OOV values {tokens}, consider setting `num_oov_indices=1`.")
        start, buckets = self._oov_start_index(), self.num_oov_indices
        if buckets == 1:
            return [start] * len(tokens)
        if not self._strings and self.oov_method != "farmhash":
            return [start + t % buckets for t in tokens]
        data = [str(t).encode("utf-8") for t in tokens]
        if self.salt is not None:
            return [start + siphash24(self.salt, d) % buckets for d in data]
        return [start + fingerprint64(d) % buckets for d in data]

    def _invert(self, inputs):
        ids = _categorical.host_array(inputs, strings=False)
        table = np.array(self.get_vocabulary(), dtype=object)
        start = self._token_start_index()
        valid = (ids >= start) & (ids < len(table))
        out = np.full(ids.shape, self.oov_token, dtype=object)
        out[valid] = table[ids[valid]]
        if self.mask_token is not None:
            out[ids == 0] = self.mask_token
        if self._strings:
            return out.astype(str)
        return _categorical.to_output(out.astype("int64"))

    # --- shapes, config, saving ---------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        if self.output_mode == "one_hot" and not (len(input_shape) > 1 and input_shape[-1] == 1):
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def compute_output_spec(self, inputs):
        shape = self.compute_output_shape(inputs.shape)
        if self.invert:
            return Spec(shape, "string" if self._strings else "int64")
        return Spec(shape, "int64" if self.output_mode == "int" else "float32")

    def get_config(self) -> dict:
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "idf_weights": _lookup_state.listed(self.input_idf_weights),
                "vocabulary": _lookup_state.listed(self.input_vocabulary),
                "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
                "salt": self.salt}

    def save_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf":
            store["idf_weights"] = np.asarray(self.idf_weights, dtype="float32")

    def load_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = np.asarray(store["idf_weights"], dtype="float32")

    def save_assets(self, dir_path: str) -> None:
        """The vocabulary, special tokens first, as Keras's `vocabulary.txt`."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, _VOCABULARY_FILENAME), "w", encoding="utf-8",
                  newline="") as f:
            f.write("\n".join(str(token) for token in self.get_vocabulary()))

    def load_assets(self, dir_path: str) -> None:
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, _VOCABULARY_FILENAME), encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = lines if self._strings else [int(line) for line in lines]
        specials = self._special_tokens()
        if values[:len(specials)] == specials:
            values = values[len(specials):]
        self._frozen_vocab_size = None
        self._set_tokens(values)


