"""Keras's batch forms, `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`: how the data
adapters pack batches for `train_step` and how a custom step unpacks them."""

from __future__ import annotations


def unpack_x_y_sample_weight(data):
    """`x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)` (a list read as a tuple) -> the
    3-tuple `(x, y, sample_weight)`, with None for what is missing."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found a tuple of length {len(data)}.")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Keras's batch form: `x` alone when there are no targets (`(x,)` when x is itself a
    list or tuple, so that it is not read as `(x, y)`), else `(x, y)` or
    `(x, y, sample_weight)`."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    return (x, y) if sample_weight is None else (x, y, sample_weight)
