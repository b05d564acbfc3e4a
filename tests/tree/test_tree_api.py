"""`hocsau.tree` against `keras.tree` (torch backend): same inputs, same outputs."""

import collections

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import tree

Point = collections.namedtuple("Point", ["y", "x"])
STRUCTURES = [
    1, None, "text", [1, [2, 3], (4, 5)], {"b": 1, "a": [2, 3]}, {3: "c", 1: "a", 2: "b"},
    collections.OrderedDict([("z", 1), ("a", 2)]), Point(y=1, x=(2, 3)),
    collections.defaultdict(list, {"k": [1], "a": 2}), [None, {"n": None}],
    collections.deque([1, [2]]), (), [], {}, [[(1,)]], torch.Size([2, 3]),
]


@pytest.mark.parametrize("structure", STRUCTURES, ids=range(len(STRUCTURES)))
def test_flatten_paths_and_nesting_match_keras(structure):
    assert tree.flatten(structure) == keras.tree.flatten(structure)
    assert tree.flatten_with_path(structure) == keras.tree.flatten_with_path(structure)
    assert tree.is_nested(structure) == keras.tree.is_nested(structure)
    flat = list(range(len(tree.flatten(structure))))
    assert tree.pack_sequence_as(structure, flat) == keras.tree.pack_sequence_as(structure, flat)
    assert tree.lists_to_tuples(structure) == keras.tree.lists_to_tuples(structure)


def _double(x):
    return None if x is None else x * 2


@pytest.mark.parametrize("structure", STRUCTURES[3:12], ids=range(9))
def test_map_structure_matches_keras(structure):
    ours = tree.map_structure(_double, structure)
    theirs = keras.tree.map_structure(_double, structure)
    assert ours == theirs and type(ours) is type(theirs)
    assert tree.map_structure(lambda a, b: (a, b), structure, structure) == \
        keras.tree.map_structure(lambda a, b: (a, b), structure, structure)


def test_map_structure_none_is_leaf():
    data = [1, None, {"a": None, "b": 2}]
    seen = []
    ours = tree.map_structure(lambda x: seen.append(x) or x, data, none_is_leaf=False)
    assert seen == [1, 2] and ours == data
    assert tree.map_structure(lambda x: 5, None, none_is_leaf=False) is None
    assert tree.map_structure(lambda x: 5, None) == 5
    with pytest.raises(ValueError, match="Structure mismatch"):
        tree.map_structure(lambda a, b: a, [None], [1], none_is_leaf=False)


def test_traverse_top_down_and_bottom_up_match_keras():
    data = [(1, 2), [3], {"a": 4}]
    for top_down in (True, False):
        ours, theirs = [], []
        assert tree.traverse(ours.append, data, top_down=top_down) == \
            keras.tree.traverse(theirs.append, data, top_down=top_down)
        assert ours == theirs
    cut = tree.traverse(lambda x: tree.MAP_TO_NONE if x == (1, 2) else None, data)
    assert cut == keras.tree.traverse(
        lambda x: keras.tree.MAP_TO_NONE if x == (1, 2) else None, data) == [None, [3],
                                                                               {"a": 4}]


def test_map_structure_up_to_and_shapes_match_keras():
    shallow, deep = [None, [None, None]], [[1, 1], [2, 2]]
    assert tree.map_structure_up_to(shallow, str, deep) == \
        keras.tree.map_structure_up_to(shallow, str, deep) == ["[1, 1]", ["2", "2"]]
    shapes = {"b": (None, 3), "a": [(2, 4), [5]]}
    assert tree.map_shape_structure(len, shapes) == \
        keras.tree.map_shape_structure(len, shapes)


def test_structure_and_path_assertions_match_keras():
    tree.assert_same_structure([(0, 1)], [(2, 3)])
    for left, right in (([0, 1], (2, 3)), (Point(0, 1), [0, 1]), ({"a": 1}, {"b": 1})):
        with pytest.raises(ValueError):
            tree.assert_same_structure(left, right)
        with pytest.raises(ValueError):
            keras.tree.assert_same_structure(left, right)
    tree.assert_same_paths([0, 1], (2, 3))
    with pytest.raises(ValueError, match="Paths in `a` missing in `b`"):
        tree.assert_same_paths({"a": 1}, {"b": 1})
    with pytest.warns(DeprecationWarning, match="check_types"):
        tree.assert_same_structure([1], [2], check_types=True)


def test_pack_sequence_as_rebuilds_dicts_in_their_order():
    structure = {"key3": "", "key1": "", "key2": ""}
    packed = tree.pack_sequence_as(structure, ["value1", "value2", "value3"])
    assert packed == {"key3": "value3", "key1": "value1", "key2": "value2"}
    with pytest.raises((ValueError, TypeError)):
        tree.pack_sequence_as([1, 2], [1])


def test_tensors_and_arrays_are_leaves():
    data = {"t": torch.ones(2), "n": np.zeros(3), "k": hocsau.KerasTensor((None, 2))}
    assert [type(x) for x in tree.flatten(data)] == [hocsau.KerasTensor, np.ndarray,
                                                     torch.Tensor]
