"""`KerasTensor`, `name_scope` and `device` against Keras 3."""

import keras
import numpy as np
import pytest
import torch

import hocsau


def test_keras_tensor_matches_keras():
    ours = hocsau.KerasTensor((None, 3), dtype="float16", name="x")
    theirs = keras.KerasTensor((None, 3), dtype="float16", name="x")
    assert (ours.shape, ours.dtype, ours.name, ours.ndim) == \
        (theirs.shape, theirs.dtype, theirs.name, theirs.ndim)
    assert hocsau.KerasTensor([2, None]).dtype == keras.KerasTensor([2, None]).dtype
    assert isinstance(hocsau.Input((2,)), hocsau.KerasTensor)
    assert isinstance(hocsau.layers.Dense(1)(hocsau.Input((2,))), hocsau.KerasTensor)
    assert not isinstance(torch.ones(2), hocsau.KerasTensor)
    for bad in ({"sparse": True, "ragged": True}, {"other": 1}):
        with pytest.raises((TypeError, ValueError)):
            keras.KerasTensor((1,), **bad)
        with pytest.raises((TypeError, ValueError)):
            hocsau.KerasTensor((1,), **bad)


def test_name_scopes_prefix_variable_paths_as_in_keras():
    paths = []
    for lib in (hocsau, keras):
        with lib.name_scope("outer"):
            with lib.name_scope("inner"):
                a = lib.Variable(np.zeros(2, "float32"), name="a")
            b = lib.Variable(np.zeros(2, "float32"), name="b")
        c = lib.Variable(np.zeros(2, "float32"), name="c")
        with lib.name_scope("x", override_parent="root/sub"):
            d = lib.Variable(np.zeros(2, "float32"), name="d")
        paths.append([a.path, b.path, c.path, d.path])
    assert paths[0] == paths[1] == ["outer/inner/a", "outer/b", "c", "root/sub/x/d"]
    owner = object()
    with hocsau.name_scope("block", caller=owner):
        with hocsau.name_scope("block", caller=owner):  # same caller: no new level
            assert hocsau.Variable(np.zeros(1), name="v").path == "block/v"
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        hocsau.name_scope("a/b")


def test_device_scope_places_new_tensors_and_restores():
    before = hocsau.config.device()
    with hocsau.device("cpu:0") as chosen:
        assert chosen == torch.device("cpu:0")
        assert hocsau.ops.ones((2,)).device.type == "cpu"
        assert hocsau.layers.Dense(1).build((None, 2)) is None
    assert hocsau.config.device() == before
    with hocsau.device("GPU:1") as chosen:
        assert chosen == torch.device("cuda:1")  # Keras's spelling, torch's device
    assert hocsau.config.device() == before
    with pytest.raises(ValueError, match="Expected a string like 'gpu:0'"):
        with hocsau.device(0):
            pass
