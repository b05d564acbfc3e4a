"""Keras 3's `keras.tree` over PyTorch's pytree registry (what Keras's torch backend uses).

Plain dicts and defaultdicts are visited in sorted key order (so `flatten` and
`pack_sequence_as` agree for any insertion order); every other container keeps its order.
"""

from __future__ import annotations

import warnings
from collections import defaultdict

from torch.utils import _pytree as pytree


class MAP_TO_NONE:  # noqa: N801 - Keras's public name
    """Returned by a `traverse` function to replace a sub-tree by None."""


def register_tree_node_class(cls):
    """Register a class with `torchtree_flatten` / `torchtree_unflatten` as a container."""
    pytree.register_pytree_node(
        cls, lambda x: x.torchtree_flatten(), cls.torchtree_unflatten,
        serialized_type_name=cls.__name__,
        flatten_with_keys_fn=lambda x: x.torchtree_flatten_with_keys())
    return cls


def _is_leaf(value) -> bool:
    return pytree._get_node_type(value) not in pytree.SUPPORTED_NODES


def is_nested(structure) -> bool:
    """Whether `structure` is a container (sequence, mapping or namedtuple)."""
    return not _is_leaf(structure)


def _children(structure):
    """(children, spec) one level down; children of a leaf are `[structure]`."""
    return pytree.tree_flatten(structure, is_leaf=lambda x: x is not structure)


def _sorted_dicts(structure):
    """The structure with every plain dict / defaultdict rebuilt in sorted key order."""
    kind = type(structure)
    if kind is dict:
        return {k: _sorted_dicts(structure[k]) for k in sorted(structure)}
    if kind is defaultdict:
        return defaultdict(structure.default_factory,
                           {k: _sorted_dicts(structure[k]) for k in sorted(structure)})
    if _is_leaf(structure):
        return structure
    children, spec = _children(structure)
    return pytree.tree_unflatten([_sorted_dicts(c) for c in children], spec)


def _finish(result):
    return None if result is MAP_TO_NONE else result


def traverse(func, structure, top_down: bool = True):
    """Apply `func` to every sub-tree, depth first (see Keras's `keras.tree.traverse`).

    Top-down, a non-None result replaces the sub-tree and stops the descent; bottom-up, it
    replaces the already traversed sub-tree. Return `MAP_TO_NONE` to put None there.
    """
    if not callable(func):
        raise TypeError(f"`func` must be callable. Received: func={func}")
    structure = _sorted_dicts(structure)

    def descend(node):
        if _is_leaf(node):
            return node
        children, spec = _children(node)
        return pytree.tree_unflatten([traverse(func, c, top_down) for c in children], spec)

    if top_down:
        result = func(structure)
        return descend(structure) if result is None else _finish(result)
    traversed = descend(structure)
    result = func(traversed)
    return traversed if result is None else _finish(result)


def flatten(structure) -> list:
    """The leaves of `structure` in order (dict values sorted by key); a leaf gives `[leaf]`."""
    if _is_leaf(structure):
        return [structure]
    return pytree.tree_leaves(_sorted_dicts(structure))


def flatten_with_path(structure) -> list:
    """`(path, leaf)` pairs; a path is the tuple of indices / keys leading to the leaf."""
    pairs, _ = pytree.tree_flatten_with_path(_sorted_dicts(structure))
    fields = sorted({k.name for path, _ in pairs for k in path
                     if isinstance(k, pytree.GetAttrKey)})
    return [(tuple(_path_entry(k, fields) for k in path), leaf) for path, leaf in pairs]


def _path_entry(key, fields: list):
    if isinstance(key, pytree.SequenceKey):
        return key.idx
    if isinstance(key, pytree.MappingKey):
        return key.key
    return fields.index(key.name)


def map_structure(func, *structures, none_is_leaf: bool = True):
    """Apply `func` to the corresponding leaves of same-shaped structures."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    if len(structures) == 1 and _is_leaf(structures[0]):
        if structures[0] is None and not none_is_leaf:
            return None
        return func(structures[0])
    if none_is_leaf:
        return pytree.tree_map(func, *structures)

    def skip_none(*leaves):
        if leaves[0] is not None:
            return func(*leaves)
        if any(leaf is not None for leaf in leaves):
            raise ValueError("Structure mismatch: some arguments are None, others are not. "
                             f"Received arguments: {leaves}.")
        return None

    return pytree.tree_map(skip_none, *structures)


def map_structure_up_to(shallow_structure, func, *structures):
    """`map_structure` down to the leaves of `shallow_structure` only; deeper parts of
    `structures` reach `func` whole."""
    if not structures:
        raise ValueError("Must provide at least one structure")

    def apply(shallow, *values):
        if not _is_leaf(shallow):
            raise ValueError("Structures don't have the same nested structure.")
        return func(*values)

    return pytree.tree_map(apply, shallow_structure, *structures)


def assert_same_structure(a, b, check_types=None) -> None:
    """Raise a ValueError unless `a` and `b` nest the same containers in the same way."""
    if check_types is not None:
        hint = ("no longer has any effect, please remove." if check_types else
                "no longer has any effect. For a looser check, use "
                "`keras.tree.assert_same_paths()`, which considers `list`, `tuple`, "
                "`namedtuple` and `deque` as matching")
        warnings.warn(f"The `check_types` argument is deprecated and {hint}",
                      DeprecationWarning, stacklevel=2)

    def check(left, right):
        if not (_is_leaf(left) and _is_leaf(right)):
            raise ValueError("Structures don't have the same nested structure.")

    pytree.tree_map(check, a, b)


def assert_same_paths(a, b) -> None:
    """Raise a ValueError unless `a` and `b` have the same leaf paths (container types may
    differ)."""
    paths_a = {path for path, _ in flatten_with_path(a)}
    paths_b = {path for path, _ in flatten_with_path(b)}
    if paths_a == paths_b:
        return
    message = "`a` and `b` don't have the same paths."
    if paths_a - paths_b:
        message += f"\nPaths in `a` missing in `b`:\n{paths_a - paths_b}"
    if paths_b - paths_a:
        message += f"\nPaths in `b` missing in `a`:\n{paths_b - paths_a}"
    raise ValueError(message)


def pack_sequence_as(structure, flat_sequence):
    """`flat_sequence` arranged in the nesting of `structure` (`flatten`'s inverse)."""
    _, spec = pytree.tree_flatten(_sorted_dicts(structure))
    return pytree.tree_unflatten(list(flat_sequence), spec)


def lists_to_tuples(structure):
    """The structure with every list turned into a tuple."""
    return traverse(lambda node: tuple(node) if isinstance(node, list) else None, structure,
                    top_down=False)


def map_shape_structure(func, structure):
    """`map_structure` where lists / tuples of ints and Nones (shapes) are the leaves."""

    def is_shape(value) -> bool:
        return isinstance(value, (list, tuple)) and all(
            isinstance(d, (int, type(None))) for d in value)

    return pytree.tree_map(func, _sorted_dicts(structure), is_leaf=is_shape)
