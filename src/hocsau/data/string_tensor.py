"""`StringTensor`: the string elements of a `Dataset`, as tf.data hands them out.

Torch has no string tensors; keras.io code written for tf.data reads text batches with
`text_batch.numpy()[i]` (bytes) or `text_batch[i].numpy()`. A `StringTensor` is a NumPy array
of `bytes` objects (so every NumPy-taking string layer reads it as it is) with tf's `.numpy()`;
indexing one string gives a 0-d `StringTensor`, whose `.numpy()` is the `bytes`.
"""

from __future__ import annotations

import numpy as np


class StringTensor(np.ndarray):
    """A NumPy array of UTF-8 `bytes` that reads like a tf string tensor: `.numpy()`, `len`,
    `.shape`, indexing (one string is a 0-d StringTensor)."""

    def __new__(cls, values) -> StringTensor:
        array = np.asarray(values)
        if array.dtype.kind == "U":
            array = np.char.encode(array, "utf-8")
        objects = np.empty(array.shape, dtype=object)
        objects.reshape(-1)[:] = [_as_bytes(v) for v in array.reshape(-1).tolist()]
        return objects.view(cls)

    def numpy(self) -> np.ndarray:
        """The strings as a plain array of `bytes` (one `bytes` for a scalar), as tf gives."""
        plain = self.view(np.ndarray)
        return plain.reshape(()).item() if plain.ndim == 0 else plain.copy()

    def __getitem__(self, key):
        item = super().__getitem__(key)
        if isinstance(item, bytes):  # one string: a 0-d StringTensor, as tf's `t[i]`
            return np.asarray(item, dtype=object).view(StringTensor)
        return item

    def __repr__(self) -> str:
        return f"<StringTensor: shape={self.shape}, dtype=string, numpy={self.numpy()!r}>"

    def __str__(self) -> str:
        return f"StringTensor({self.numpy()!r}, shape={self.shape}, dtype=string)"


def is_strings(value) -> bool:
    """A str / bytes, or an array of them (fixed-width or object)."""
    if isinstance(value, (str, bytes, np.str_, np.bytes_)):
        return True
    if not isinstance(value, np.ndarray):
        return False
    if value.dtype.kind in "US":
        return True
    return value.dtype == object and value.size > 0 and isinstance(value.flat[0], (str, bytes))


def as_string_tensor(value) -> StringTensor:
    """`value` (strings) as a `StringTensor` (a 0-d one for one string)."""
    return value if isinstance(value, StringTensor) else StringTensor(value)


def _as_bytes(value) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)
