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


def length(element) -> int:
    sizes = {len(leaf) for leaf in leaves(element)}
    if len(sizes) != 1:
        raise ValueError("All the arrays given to `Dataset.from_tensor_slices` must have the "
                         f"same first dimension. Received sizes {sorted(sizes)}")
    return sizes.pop()
