"""`pad_sequences`: ragged lists of token ids (or vectors) into one rectangular NumPy array."""

from __future__ import annotations

import numpy as np

_SIDES = ("pre", "post")


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """Pads (or truncates) every sequence to the same length.

    Returns an array of shape `(len(sequences), maxlen) + sample_shape`, where `sample_shape`
    is the shape of one timestep of the first non-empty sequence (`()` for token ids).

    Args:
        sequences: list of sequences (lists or arrays of ids, or of equally shaped vectors).
        maxlen: length of every output row; `None` takes the longest sequence.
        dtype: dtype of the result; use `object` (or a string dtype) to pad strings.
        padding: `"pre"` or `"post"`: which side receives `value` in short sequences.
        truncating: `"pre"` or `"post"`: which side is cut from long sequences.
        value: the padding value (a number, or a string with a string/object dtype).

    Example:
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2)
        array([[0, 1],
               [2, 3],
               [5, 6]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if truncating not in _SIDES:
        raise ValueError(f'Truncating type "{truncating}" not understood')
    if padding not in _SIDES:
        raise ValueError(f'Padding type "{padding}" not understood')
    lengths, sample_shape = _lengths_and_sample_shape(sequences)
    if maxlen is None:
        maxlen = int(np.max(lengths))
    string_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not string_dtype:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )
    padded = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for idx, seq in enumerate(sequences):
        if not len(seq):
            continue
        kept = np.asarray(seq[-maxlen:] if truncating == "pre" else seq[:maxlen], dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {kept.shape[1:]} of sequence at position {idx} is "
                f"different from expected shape {sample_shape}"
            )
        if padding == "post":
            padded[idx, : len(kept)] = kept
        else:
            padded[idx, -len(kept):] = kept
    return padded


def _lengths_and_sample_shape(sequences) -> tuple[list[int], tuple]:
    """Every sequence's length, and the timestep shape of the first non-empty one."""
    lengths, sample_shape = [], None
    for seq in sequences:
        try:
            lengths.append(len(seq))
        except TypeError as error:
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {seq}"
            ) from error
        if sample_shape is None and len(seq):
            sample_shape = np.asarray(seq).shape[1:]
    return lengths, sample_shape or ()
