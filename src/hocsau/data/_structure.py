"""Nested elements (tuples and dicts of arrays or tensors): slicing, stacking, splitting.

As in tf.data, tuples and dicts are structure while a Python list is one value (an array).
"""

from __future__ import annotations

import numpy as np
import torch


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


def as_array(value):
    """Leaves kept as tensors or numpy arrays; Python numbers, strings and lists to numpy."""
    return value if isinstance(value, (torch.Tensor, np.ndarray)) else np.asarray(value)


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
