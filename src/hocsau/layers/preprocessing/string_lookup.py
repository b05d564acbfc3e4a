"""`StringLookup`: strings to integer indices (or encodings), and back, as Keras does."""

from __future__ import annotations

from hocsau.layers.preprocessing._index_lookup import IndexLookup
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class StringLookup(IndexLookup):
    """Maps strings to indices through a vocabulary (given, or learned with `adapt`).

    Runs on the host (strings never reach the accelerator); the output is a tensor on the
    default device, or, with `invert=True`, a numpy array of strings. Inputs may be numpy
    arrays (str or bytes), lists of strings, or symbolic string inputs in a functional model.

    Args:
        max_tokens: Largest vocabulary size, mask and OOV slots included (None: no limit).
        num_oov_indices: Out-of-vocabulary slots; several spread unknown strings by
            FarmHash64 (SipHash with `salt`), as TensorFlow hashes them.
        mask_token: The padding token, mapped to index 0 in "int" mode (None: no mask).
        oov_token: The token `invert=True` returns for OOV indices.
        vocabulary: A list / array of strings or a path to a file with one per line.
        idf_weights: With "tf_idf" and a given vocabulary, one weight per entry.
        invert: Map indices back to strings.
        output_mode: "int", "one_hot", "multi_hot", "count" or "tf_idf".
        pad_to_max_tokens: Non-"int" modes output `max_tokens` columns.
        sparse: Only False (sparse tensors need TensorFlow).
        encoding: Text encoding of bytes inputs and of a vocabulary file.
        salt: An int or a pair of ints: salted (SipHash) OOV hashing.
    """

    _strings = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "encoding": self.encoding}
