"""`IntegerLookup`: integer features to contiguous indices (or encodings), and back."""

from __future__ import annotations

from hocsau.layers.preprocessing._index_lookup import IndexLookup
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class IntegerLookup(IndexLookup):
    """Maps integers to indices through a vocabulary (given, or learned with `adapt`).

    Runs on the host like Keras's TensorFlow lookup table; the output is a tensor on the
    default device.

    Args:
        max_tokens: Largest vocabulary size, mask and OOV slots included (None: no limit).
        num_oov_indices: Out-of-vocabulary slots; several spread unknown values by
            `value % num_oov_indices` ("floormod") or by FarmHash64 of their decimal form
            ("farmhash", SipHash with `salt`).
        mask_token: The padding value, mapped to index 0 in "int" mode (None: no mask).
        oov_token: The value `invert=True` returns for OOV indices.
        vocabulary: A list / array of ints or a path to a file with one per line.
        vocabulary_dtype: Only "int64".
        idf_weights: With "tf_idf" and a given vocabulary, one weight per entry.
        invert: Map indices back to values.
        output_mode: "int", "one_hot", "multi_hot", "count" or "tf_idf".
        sparse: Only False (sparse tensors need TensorFlow).
        pad_to_max_tokens: Non-"int" modes output `max_tokens` columns.
        oov_method: "floormod" or "farmhash".
        salt: With "farmhash", an int or a pair of ints: salted (SipHash) hashing.
    """

    _strings = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError("Only `vocabulary_dtype='int64'` is supported at this time. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        self.vocabulary_dtype = vocabulary_dtype
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens,
                         oov_method=oov_method, salt=salt, name=name, **kwargs)

    def get_config(self) -> dict:
        config = {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype}
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
