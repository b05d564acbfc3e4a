"""Argument checks, vocabulary validation and `adapt` statistics for `IndexLookup`, kept
apart so the layer file reads as the lookup itself."""

from __future__ import annotations

import collections
import math

import numpy as np
import torch


def canonical_output_mode(output_mode):
    """Keras's older spellings of output modes ("binary", "tf-idf") as their current names."""
    return {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)


def check_choice(value, allowed: tuple, layer_name: str, arg_name: str) -> None:
    if value not in allowed:
        raise ValueError(f"The `{arg_name}` argument of layer {layer_name} received an invalid "
                         f"value. Allowed values are: {allowed}. Received: {arg_name}={value}")


def check_arguments(layer, max_tokens, num_oov_indices, output_mode, invert, idf_weights,
                    pad_to_max_tokens, oov_method, salt, modes) -> None:
    name = type(layer).__name__
    if max_tokens is not None and max_tokens <= 1:
        raise ValueError(f"If set, `max_tokens` must be greater than 1. "
                         f"Received: max_tokens={max_tokens}")
    if pad_to_max_tokens and max_tokens is None:
        raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. "
                         f"Received: max_tokens={max_tokens}")
    if num_oov_indices < 0:
        raise ValueError("`num_oov_indices` must be greater than or equal to 0. "
                         f"Received: num_oov_indices={num_oov_indices}")
    check_choice(oov_method, ("floormod", "farmhash"), name, "oov_method")
    if salt is not None:
        if not layer._strings and oov_method != "farmhash":
            raise ValueError("`salt` can only be used when `oov_method='farmhash'`. "
                             f"Received: oov_method={oov_method}")
        if not (isinstance(salt, int) or (isinstance(salt, (tuple, list)) and len(salt) == 2)):
            raise ValueError(f"The `salt` argument for `{name}` can only be a tuple of 2 "
                             f"integers, or a single integer. Received: salt={salt}.")
    check_choice(output_mode, modes, name, "output_mode")
    if invert and output_mode != "int":
        raise ValueError("`output_mode` must be `'int'` when `invert` is true. "
                         f"Received: output_mode={output_mode}")
    if idf_weights is not None and output_mode != "tf_idf":
        raise ValueError("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                         f"Received: idf_weights={idf_weights} and output_mode={output_mode}")


def vocabulary_values(vocabulary, layer) -> list:
    """A vocabulary (list, array, tensor) as a list of `str` or `int`."""
    if isinstance(vocabulary, torch.Tensor):
        vocabulary = vocabulary.detach().cpu().numpy()
    values = np.asarray(vocabulary, dtype=object).reshape(-1).tolist()
    if layer._strings:
        return [v.decode(layer.encoding) if isinstance(v, bytes) else str(v) for v in values]
    return [int(v) for v in values]


def check_vocabulary(layer, tokens: list, specials: list) -> None:
    repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
    if repeated:
        raise ValueError("The passed vocabulary has at least one repeated term. Please uniquify "
                         f"your dataset. The repeated terms are: {repeated}")
    for token, name in ((layer.mask_token, "mask_token"),
                        (layer.oov_token if layer.invert else None, "oov_token")):
        if token is not None and token in tokens:
            raise ValueError(
                f"Found reserved {'mask' if name == 'mask_token' else 'OOV'} token at unexpected "
                "location in `vocabulary`. Note that passed `vocabulary` does not need to "
                "include the OOV and mask tokens. Either remove all mask and OOV tokens, or "
                "include them only at the start of the vocabulary in precisely this order: "
                f"{specials}. Received: {name}={token} at vocabulary index "
                f"{tokens.index(token)}")
    size = layer._token_start_index() + len(tokens)
    if layer.max_tokens is not None and size > layer.max_tokens:
        raise ValueError("Attempted to set a vocabulary larger than the maximum vocab size. "
                         f"Received vocabulary size is {size}; `max_tokens` is "
                         f"{layer.max_tokens}.")


def padded_idf(layer, idf_weights, vocabulary_length: int, found_specials: bool) -> np.ndarray:
    """One IDF weight per output column, as Keras pads them: the special slots get the mean
    weight (unless the vocabulary listed them), columns past the vocabulary get 0."""
    if isinstance(idf_weights, torch.Tensor):
        idf_weights = idf_weights.detach().cpu().numpy()
    idf = np.asarray(idf_weights)
    if len(idf) != vocabulary_length:
        raise ValueError("`idf_weights` must be the same length as vocabulary. len(idf_weights) "
                         f"is {len(idf)}; len(vocabulary) is {vocabulary_length}")
    if idf.ndim != 1:
        raise ValueError("TF-IDF data must be a 1-index array. "
                         f"Received: type(idf_weights)={type(idf_weights)}")
    front = 0 if found_specials else layer._token_start_index()
    front_value = 0 if found_specials else np.average(idf)
    back = layer.max_tokens - front - len(idf) if layer.pad_to_max_tokens else 0
    return np.pad(idf, (front, back), "constant",
                  constant_values=(front_value, 0)).astype("float32")


class TokenCounter:
    """Token counts (and, for TF-IDF, document counts) over the batches `adapt` sees; each
    row of a batch is one document."""

    def __init__(self, documents: bool):
        self.counts = collections.Counter()
        self.documents = collections.Counter() if documents else None
        self.num_documents = 0

    def update(self, batch: np.ndarray) -> None:
        rows = batch.reshape(1, -1) if batch.ndim <= 1 else batch.reshape(len(batch), -1)
        self.counts.update(rows.reshape(-1).tolist())
        if self.documents is not None:
            for row in rows.tolist():
                self.documents.update(set(row))
            self.num_documents += len(rows)


def learned_idf(layer, counter: TokenCounter, tokens: list) -> np.ndarray:
    """Keras's IDF, log(1 + documents / (1 + documents with the token)), with the special
    slots set to the mean and zeros up to `max_tokens` when padding."""
    idf = np.array([math.log(1 + counter.num_documents / (1 + counter.documents[t]))
                    for t in tokens], dtype="float32")
    mean = idf.mean(dtype="float32") if len(idf) else np.float32(0)
    back = layer.max_tokens - len(idf) - layer._token_start_index() \
        if layer.pad_to_max_tokens and layer.max_tokens is not None else 0
    return np.pad(idf, (layer._token_start_index(), back), "constant",
                  constant_values=(mean, 0)).astype("float32")


def batches(data, steps):
    """What `adapt` reads: a whole list / array / tensor (a 1-D one is a column of
    one-token documents), each row of a ragged batch (a document), or the batches of an
    iterable such as a `Dataset`."""
    from hocsau.layers.preprocessing._categorical import ragged_rows

    rows = ragged_rows(data)
    if rows is not None:
        for row in rows:
            yield np.asarray(row, dtype=object).reshape(1, -1)
        return
    if isinstance(data, (list, tuple, np.ndarray, torch.Tensor)):
        array = data.detach().cpu().numpy() if isinstance(data, torch.Tensor) else np.asarray(
            data, dtype=object if _has_strings(data) else None)
        yield array.reshape(-1, 1) if array.ndim == 1 else array
        return
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            break
        yield batch


def _has_strings(data) -> bool:
    from hocsau.layers.preprocessing._categorical import is_string_array

    return is_string_array(data)


def listed(value):
    """Config form of a vocabulary or weights: arrays and tensors as lists."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return value.tolist() if isinstance(value, np.ndarray) else value
