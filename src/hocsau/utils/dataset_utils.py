"""`split_dataset`: cut a small in-memory dataset in two (train / validation), as Keras 3 does.

The samples are gathered into columns (one array or tensor per leaf of the element structure),
optionally permuted, and the left split takes the first `left_size` samples, the right split the
last `right_size` ones. Both come back as `hocsau.data.Dataset`s that yield the element
structure `tf.data.Dataset.from_tensor_slices` would: `x[i]` for an array, `(x[i], y[i])` for a
tuple or list of arrays, `{"a": a[i], ...}` for a dict.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import torch

from hocsau.data import INFINITE_CARDINALITY, Dataset
from hocsau.utils.argument_validation import check_preferred_backend

_SLOW_SECONDS = 10


def split_dataset(dataset, left_size=None, right_size=None, shuffle: bool = False, seed=None,
                  preferred_backend=None):
    """Split `dataset` into a left and a right `Dataset`.

    Args:
        dataset: a numpy array or torch tensor; a tuple, list or dict of them (same length);
            a `hocsau.data.Dataset` of unbatched samples; or a `torch.utils.data.Dataset`.
        left_size: a float in (0, 1): the fraction of samples on the left (rounded as Python's
            `round`); an int: their number; None: whatever `right_size` leaves.
        right_size: the same for the right split.
        shuffle: permute the samples before splitting (otherwise the left split is the start
            of the data and the right split its end).
        seed: seed of the permutation (the same seed gives the same splits as Keras on its
            torch backend); None draws it from torch's global generator.

    Returns:
        `(left, right)`, two `hocsau.data.Dataset`s.

    Example:
        >>> left, right = split_dataset(np.random.random((1000, 4)), left_size=0.8)
        >>> len(left), len(right)
        (800, 200)
    """
    check_preferred_backend(preferred_backend)
    columns = _as_columns(dataset)
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    total = _column_length(columns)
    left_size, right_size = _rescale_split_sizes(left_size, right_size, total)
    if shuffle:
        generator = None if seed is None else torch.Generator().manual_seed(seed)
        order = torch.randperm(total, generator=generator).numpy()
    else:
        order = np.arange(total)
    return (Dataset.from_tensor_slices(_take(columns, order[:left_size])),
            Dataset.from_tensor_slices(_take(columns, order[total - right_size:])))


# --- split sizes ------------------------------------------------------------------------------
def _rescale_split_sizes(left_size, right_size, total: int) -> tuple[int, int]:
    """Both sizes as sample counts, with Keras's checks (types, ranges, sums, empty sides)."""
    _check_size_types(left_size, right_size)
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split "
                         "sizes must be non-zero. Received: left_size=0 and right_size=0")
    _check_size_range("left_size", left_size, total)
    _check_size_range("right_size", right_size, total)
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be "
                         f"less than or equal to 1. Received: left_size={left_size} and "
                         f"right_size={right_size}")
    left, right = (round(s * total) if type(s) is float else s for s in (left_size, right_size))
    left = total - right if left is None else left
    right = total - left if right is None else right
    _check_counts(left, right, total, f"left_size={left_size} and right_size={right_size}")
    return left, right


def _check_counts(left: int, right: int, total: int, received: str) -> None:
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the "
                         f"{total}. Received: left_size + right_size = {left + right} and "
                         f"total_length = {total}")
    for side, size in (("left", left), ("right", right)):
        if size == 0:
            raise ValueError(
                f"With `dataset` of length={total}, `left_size`={left} and `right_size`={right}. "
                f"Resulting {side} side dataset split will be empty. Adjust any of the "
                f"aforementioned parameters. Received: {received}")


def _check_size_types(left_size, right_size) -> None:
    """Python ints and floats only (not bools, not numpy scalars), or None."""
    bad = [name for name, size in (("left_size", left_size), ("right_size", right_size))
           if size is not None and type(size) not in (int, float)]
    if len(bad) == 2:
        raise TypeError("Invalid `left_size` and `right_size` Types. Expected: integer or float "
                        f"or None. Received: type(left_size)={type(left_size)} and "
                        f"type(right_size)={type(right_size)}")
    if bad:
        size = left_size if bad[0] == "left_size" else right_size
        raise TypeError(f"Invalid `{bad[0]}` Type. Expected: int or float or None. "
                        f"Received: type({bad[0]})={type(size)}")


def _check_size_range(name: str, size, total: int) -> None:
    if type(size) is int and not 0 < size < total or type(size) is float and not 0 < size < 1:
        raise ValueError(f"`{name}` should be either a positive integer smaller than {total}, "
                         f"or a float within the range `[0, 1]`. Received: {name}={size}")


# --- columns ----------------------------------------------------------------------------------
def _as_columns(dataset):
    """The data as arrays/tensors sharing their first axis, nested in tuples and dicts."""
    if isinstance(dataset, (np.ndarray, torch.Tensor)):
        return dataset
    if isinstance(dataset, (tuple, list, dict)):
        return _checked_columns(dataset)
    if isinstance(dataset, (Dataset, torch.utils.data.Dataset)):
        return _stack_samples(_collect_samples(dataset))
    raise TypeError(
        f"Unsupported dataset type: {type(dataset)}. `dataset` must be a numpy array, a torch "
        "tensor, a tuple, list or dict of them, a `hocsau.data.Dataset` or a "
        f"`torch.utils.data.Dataset`. Received: dataset of type {type(dataset)}")


def _checked_columns(columns):
    """A tuple/list/dict of arrays of one length; lists become tuples, as tf.data needs."""
    kind = type(columns).__name__
    if not columns:
        raise ValueError(f"Received an empty {kind} dataset. Please provide a non-empty {kind} "
                         f"of arrays. Received: dataset={columns!r}")
    items = columns.items() if isinstance(columns, dict) else enumerate(columns)
    expected = None
    for key, column in items:
        if not isinstance(column, (np.ndarray, torch.Tensor)):
            raise ValueError(f"Expected a {kind} of `numpy.ndarray` objects (or torch tensors). "
                             f"Received: {type(column)} at index {key!r}.")
        if expected is None:
            expected = tuple(column.shape)
        elif column.shape[0] != expected[0]:
            raise ValueError(
                f"Received a {kind} of NumPy arrays with different lengths. Mismatch found at "
                f"index {key!r}, Expected shape={expected} Received shape={tuple(column.shape)}. "
                f"Please provide a {kind} of NumPy arrays of the same length.")
    return dict(columns) if isinstance(columns, dict) else tuple(columns)


def _column_length(columns) -> int:
    if isinstance(columns, tuple):
        return _column_length(columns[0])
    if isinstance(columns, dict):
        return _column_length(next(iter(columns.values())))
    return len(columns)


def _take(columns, order: np.ndarray):
    if isinstance(columns, tuple):
        return tuple(_take(c, order) for c in columns)
    if isinstance(columns, dict):
        return {k: _take(c, order) for k, c in columns.items()}
    if isinstance(columns, torch.Tensor):
        return columns[torch.from_numpy(order).to(columns.device)]
    return columns[order]


# --- datasets of samples ----------------------------------------------------------------------
def _collect_samples(dataset) -> list:
    """Every sample, warning (as Keras does) when reading them takes over 10 seconds."""
    if isinstance(dataset, Dataset) and dataset.cardinality() == INFINITE_CARDINALITY:
        raise ValueError("Cannot split an infinite dataset (did it go through `repeat()`?). "
                         "Received: dataset with cardinality INFINITE_CARDINALITY")
    samples, start, warned = [], time.time(), False
    for sample in dataset:
        samples.append(sample)
        if not warned and len(samples) % 10 == 0 and time.time() - start > _SLOW_SECONDS:
            warnings.warn("The dataset is taking longer than 10 seconds to iterate over. This "
                          "may be due to the size of the dataset. Keep in mind that the "
                          "`split_dataset` utility is only for small in-memory dataset "
                          "(e.g. < 10,000 samples).", ResourceWarning, stacklevel=3)
            warned = True
    if not samples:
        raise ValueError("Received an empty dataset. Argument `dataset` must be a non-empty "
                         "dataset or tuple/list/dict of arrays. Received: 0 samples")
    return samples


def _stack_samples(samples: list):
    """Samples of one structure stacked leaf by leaf into columns (tensors stay tensors)."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return tuple(_stack_samples([_part(s, i, first) for s in samples])
                     for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _stack_samples([_part(s, k, first) for s in samples]) for k in first}
    shape = tuple(np.shape(first))
    for index, sample in enumerate(samples):
        if tuple(np.shape(sample)) != shape:
            raise ValueError(f"All `dataset` samples must have same shape, Expected shape: "
                             f"{shape} Received shape: {tuple(np.shape(sample))} at index "
                             f"{index}.")
    if isinstance(first, torch.Tensor):
        return torch.stack(samples)
    return np.stack([np.asarray(s) for s in samples])


def _part(sample, key, first):
    """`sample[key]`, once `sample` is known to share the first sample's structure."""
    same = (isinstance(sample, dict) and sample.keys() == first.keys()) if isinstance(
        first, dict) else (isinstance(sample, (tuple, list)) and len(sample) == len(first))
    if not same:
        raise ValueError("All `dataset` samples must have the same structure. Expected: "
                         f"{_describe(first)}. Received: {_describe(sample)}")
    return sample[key]


def _describe(sample) -> str:
    if isinstance(sample, dict):
        return f"a dict with keys {sorted(sample)}"
    if isinstance(sample, (tuple, list)):
        return f"a {type(sample).__name__} of {len(sample)}"
    return f"a single {type(sample).__name__}"
