"""Nested elements (tuples and dicts of tensors): conversion, slicing, stacking, splitting.

As in tf.data, tuples and dicts are structure while a Python list is one value (an array);
leaves are torch tensors, or `StringTensor`s for strings.
"""

from __future__ import annotations

import numpy as np
import torch

from hocsau.data.string_tensor import as_string_tensor, is_strings


def map_leaves(fn, element):
    if isinstance(element, tuple):
        return tuple(map_leaves(fn, e) for e in element)
    if isinstance(element, dict):
        return {k: map_leaves(fn, v) for k, v in element.items()}
    return fn(element)


def leaves(element) -> list:
    if isinstance(element, tuple):
        return [leaf for e in element for leaf in leaves(e)]
    if isinstance(element, dict):
        return [leaf for v in element.values() for leaf in leaves(v)]
    return [element]


def zip_leaves(fn, elements: list):
    """`fn(list of leaves)` position by position over elements of the same structure."""
    first = elements[0]
    if isinstance(first, tuple):
        return tuple(zip_leaves(fn, [e[i] for e in elements]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: zip_leaves(fn, [e[k] for e in elements]) for k in first}
    return fn(elements)


def as_tensor(value):
    """One leaf as a Dataset element holds it, as tf.data would: a torch tensor (CPU), a
    `StringTensor` for strings; other objects (None, ragged lists, images of other libraries)
    as they are. Python numbers and lists take tf's dtypes (int32, float32); NumPy keeps its
    own."""
    if isinstance(value, torch.Tensor):
        return value
    value = np.asarray(value) if isinstance(value, np.generic) else as_raw(value)
    if is_strings(value):
        return as_string_tensor(value)
    if isinstance(value, np.ndarray) and value.dtype != object:
        if value.base is not None or not value.flags.writeable or not \
                value.flags.c_contiguous:
            # A row of a source array: a copy, so that in-place work in a map cannot change
            # the source (tf.data copies too); torch shares only writable memory anyway.
            value = np.array(value, order="C")
        return torch.from_numpy(value)
    return value


def as_raw(value):
    """A leaf as the pipeline carries it between stages: Python numbers and lists as NumPy
    with tf's dtypes, pandas columns as NumPy (rows by position, whatever their index), anything
    else as it is (`as_tensor` when the element is observed)."""
    if hasattr(value, "to_numpy") and not isinstance(value, (np.ndarray, torch.Tensor)):
        return value.to_numpy()
    if isinstance(value, (bool, int, float, list)) and not isinstance(value, np.generic):
        try:
            return _tf_dtypes(np.asarray(value))
        except ValueError:  # ragged
            return value
    return value


def _tf_dtypes(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.int64 and (array.size == 0 or (
            array.min() >= -2**31 and array.max() < 2**31)):
        return array.astype(np.int32)
    return array.astype(np.float32) if array.dtype == np.float64 else array


def as_tensors(element):
    """Every leaf of an element as `as_tensor` gives it."""
    return map_leaves(as_tensor, element)


def stack(values: list):
    if isinstance(values[0], torch.Tensor):
        return torch.stack(values)
    return np.stack([np.asarray(v) for v in values])


def pad_stack(values: list, shape=None, value=0):
    """`values` padded at the end of each axis with `value` to `shape` (None, or None in an
    axis, means the batch's largest size), then stacked."""
    arrays = [np.asarray(v) for v in values]
    largest = np.max([a.shape for a in arrays], axis=0) if arrays[0].ndim else ()
    target = [size if want is None else want
              for size, want in zip(largest, shape or [None] * len(largest), strict=True)]
    for array in arrays:
        if any(have > want for have, want in zip(array.shape, target, strict=True)):
            raise ValueError(f"An element of shape {array.shape} does not fit the padded shape "
                             f"{list(shape)}. Received: padded_shapes={list(shape)}")
    widths = [[(0, int(want - have)) for have, want in zip(a.shape, target, strict=True)]
              for a in arrays]
    stacked = np.stack([np.pad(a, width, constant_values=value) if width else a
                        for a, width in zip(arrays, widths, strict=True)])
    return torch.as_tensor(stacked) if isinstance(values[0], torch.Tensor) else stacked


def length(element) -> int:
    sizes = {len(leaf) for leaf in leaves(element)}
    if len(sizes) != 1:
        raise ValueError("All the arrays given to `Dataset.from_tensor_slices` must have the "
                         f"same first dimension. Received sizes {sorted(sizes)}")
    return sizes.pop()
