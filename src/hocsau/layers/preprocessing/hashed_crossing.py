"""`HashedCrossing`: the hashed cross of two or more categorical features."""

from __future__ import annotations

import numpy as np

from hocsau.layers.layer import Layer
from hocsau.layers.preprocessing import _categorical
from hocsau.layers.preprocessing._farmhash import fingerprint64, fingerprint_cat64
from hocsau.layers.preprocessing._lookup_state import check_choice
from hocsau.models.symbolic import Spec
from hocsau.saving.serialization import keras_class

_HASH_KEY = 0xDECAFCAFFE  # tf.sparse.cross_hashed's default key
_MASK = (1 << 64) - 1


@keras_class("keras.layers")
class HashedCrossing(Layer):
    """Crosses features row by row into `num_bins` bins, as `tf.sparse.cross_hashed` does:
    each feature's fingerprint (FarmHash64 of a string, the value itself for an integer) is
    chained with `FingerprintCat64`, so bin ids equal Keras's. Runs on the host; the output is
    a tensor on the default device.

    Args:
        num_bins: Number of hash bins.
        output_mode: "int" or "one_hot".
        sparse: Only False (sparse tensors need TensorFlow).

    Call arguments:
        inputs: A list or tuple of at least two features of equal shape `()`, `(batch,)` or
            `(batch, 1)`, each integer or string.
    """

    _convert_input_args = False

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        _categorical.check_dense(sparse, "HashedCrossing")
        check_choice(output_mode, ("int", "one_hot"), "HashedCrossing", "output_mode")
        self.num_bins, self.output_mode, self.sparse = num_bins, output_mode, sparse
        self.built = True

    def call(self, inputs):
        features = self._checked(inputs)
        shape = features[0].shape
        columns = [_fingerprints(f.reshape(-1)) for f in features]
        crossed = []
        for row in zip(*columns, strict=True):
            value = _HASH_KEY
            for fingerprint in row:
                value = fingerprint_cat64(value, fingerprint)
            crossed.append(value % self.num_bins)
        ids = _categorical.to_output(np.array(crossed, dtype="int64").reshape(shape))
        return _categorical.encode(ids, self.output_mode, self.num_bins, self.compute_dtype)

    def _checked(self, inputs) -> list:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("`HashedCrossing` should be called on a list or tuple of inputs. "
                             f"Received: inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError("`HashedCrossing` should be called on at least two inputs. "
                             f"Received: inputs={inputs}")
        features = [_categorical.host_values(x) for x in inputs]
        shape = features[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError("All `HashedCrossing` inputs should have shape `()`, "
                             f"`(batch_size)` or `(batch_size, 1)`. Received: inputs={inputs}")
        if any(f.shape != shape for f in features[1:]):
            raise ValueError("All `HashedCrossing` inputs should have equal shape. "
                             f"Received: inputs={inputs}")
        if any(f.dtype.kind not in "iuU" for f in features):
            raise ValueError("All `HashedCrossing` inputs should have an integer or string "
                             f"dtype. Received: inputs={inputs}")
        return features

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 2 or not all(isinstance(s, (tuple, list)) for s in input_shape):
            raise ValueError("Expected as input a list/tuple of 2 tensors. "
                             f"Received input_shape={input_shape}")
        first = tuple(input_shape[0])
        if first[-1:] != tuple(input_shape[1])[-1:]:
            raise ValueError("Expected the two input tensors to have identical shapes. "
                             f"Received input_shape={input_shape}")
        if self.output_mode == "int":
            return first
        if first and first[-1] != 1:
            return first + (self.num_bins,)
        return first[:-1] + (self.num_bins,)

    def compute_output_spec(self, inputs):
        return Spec(self.compute_output_shape([tuple(x.shape) for x in inputs]),
                    self.compute_dtype)

    def get_config(self) -> dict:
        return {"num_bins": self.num_bins, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype_policy.name}


def _fingerprints(values: np.ndarray) -> list:
    if values.dtype.kind == "U":
        return [fingerprint64(v.encode("utf-8")) for v in values.tolist()]
    return [int(v) & _MASK for v in values.tolist()]
