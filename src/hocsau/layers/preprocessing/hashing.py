"""`Hashing`: strings or integers into a fixed number of bins, with TensorFlow's hashes."""

from __future__ import annotations

import numpy as np

from hocsau import config
from hocsau.layers.layer import Layer
from hocsau.layers.preprocessing import _categorical
from hocsau.layers.preprocessing._farmhash import fingerprint64
from hocsau.layers.preprocessing._siphash import siphash24
from hocsau.models.symbolic import Spec
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Hashing(Layer):
    """Hashes each value into `num_bins` bins, as `tf.strings.to_hash_bucket_fast` does
    (FarmHash64 of the value's string form; integers hash their decimal text, floats are
    truncated to integers first) or, with a `salt`, `to_hash_bucket_strong` (SipHash-2-4), so
    bin ids equal Keras's. Hashing runs on the host; the output is a tensor on the default
    device.

    Args:
        num_bins: Number of bins, the mask bin included.
        mask_value: A value sent to bin 0 (the others then share bins 1..num_bins-1).
        salt: An int or a pair of ints: use salted SipHash instead of FarmHash.
        output_mode: "int", "one_hot", "multi_hot" or "count".
        sparse: Only False (sparse tensors need TensorFlow).
    """

    _convert_input_args = False

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else config.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode == "int" and self.dtype_policy.name not in ("int32", "int64"):
            raise ValueError('When `output_mode="int"`, `dtype` should be an integer type, '
                             f"'int32' or 'in64'. Received: dtype={kwargs['dtype']}")
        if output_mode not in _categorical.ENCODINGS:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{_categorical.ENCODINGS}. Received: output_mode={output_mode}")
        _categorical.check_dense(sparse, "Hashing")
        if salt is not None and not isinstance(salt, int) and not (
                isinstance(salt, (tuple, list)) and len(salt) == 2):
            raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 "
                             f"integers, or a single integer. Received: salt={salt}.")
        self.num_bins, self.mask_value, self.output_mode = num_bins, mask_value, output_mode
        self.sparse = sparse
        self.strong_hash = salt is not None
        self.salt = [salt, salt] if isinstance(salt, int) else (
            list(salt) if salt is not None else None)
        self.built = True

    def call(self, inputs):
        values = _categorical.host_values(inputs)
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = values.squeeze(-1)
        ids = _categorical.to_output(self._bins(values))
        return _categorical.encode(ids, self.output_mode, self.num_bins, self.compute_dtype)

    def _bins(self, values: np.ndarray) -> np.ndarray:
        bins = self.num_bins
        masked = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            masked = values == self.mask_value
        keys, inverse = _categorical.hash_keys(values)
        if self.strong_hash:
            hashes = [siphash24(self.salt, key) % bins for key in keys]
        else:
            hashes = [fingerprint64(key) % bins for key in keys]
        out = np.array(hashes, dtype="int64").reshape(-1)[inverse] if keys else \
            np.zeros(values.shape, dtype="int64")
        if masked is not None:
            out = np.where(masked, 0, out + 1)
        return out

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def compute_output_spec(self, inputs):
        return Spec(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}
