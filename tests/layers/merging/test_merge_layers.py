"""Merge layers against Keras 3: values, shapes, masks, configs and errors."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")

ELEMENTWISE = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]


def inputs(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s).astype("float32") for s in shapes]


def both(name, data, **kwargs):
    theirs = keras.ops.convert_to_numpy(getattr(keras.layers, name)(**kwargs)(data))
    ours = getattr(layers, name)(**kwargs)([torch.from_numpy(d) for d in data])
    return ours.detach().numpy(), theirs


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("shapes", [[(4, 3), (4, 3)], [(2, 3, 5), (2, 3, 5)],
                                    [(2, 3, 5), (2, 1, 5)], [(2, 3, 5), (2, 5)]])
def test_elementwise_merges_match_keras(name, shapes):
    ours, theirs = both(name, inputs(*shapes))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["Add", "Multiply", "Average", "Maximum", "Minimum"])
def test_three_inputs(name):
    ours, theirs = both(name, inputs((3, 4), (3, 4), (3, 4)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("axis", [-1, 1, 2])
def test_concatenate_matches_keras(axis):
    shapes = {-1: [(2, 3, 4), (2, 3, 5)], 1: [(2, 1, 4), (2, 3, 4)], 2: [(2, 3, 1), (2, 3, 2)]}
    ours, theirs = both("Concatenate", inputs(*shapes[axis]), axis=axis)
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("axes, normalize, shapes", [
    (1, False, [(4, 3), (4, 3)]), (1, True, [(4, 3), (4, 3)]), (-1, False, [(2, 3, 5), (2, 4, 5)]),
    ((1, 2), False, [(2, 3, 5), (2, 4, 3)]), ((2, 1), True, [(2, 3, 5), (2, 5, 4)]),
    (2, False, [(2, 3, 5), (2, 3, 5)]),
])
def test_dot_matches_keras(axes, normalize, shapes):
    ours, theirs = both("Dot", inputs(*shapes), axes=axes, normalize=normalize)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_symbolic_shapes_and_functional_forms():
    a, b = hocsau.Input((3, 4)), hocsau.Input((3, 4))
    assert layers.add([a, b]).shape == (None, 3, 4)
    assert layers.subtract([a, b]).shape == (None, 3, 4)
    assert layers.multiply([a, b]).shape == (None, 3, 4)
    assert layers.average([a, b]).shape == (None, 3, 4)
    assert layers.maximum([a, b]).shape == (None, 3, 4)
    assert layers.minimum([a, b]).shape == (None, 3, 4)
    assert layers.concatenate([a, b], axis=1).shape == (None, 6, 4)
    assert layers.dot([a, b], axes=2).shape == (None, 3, 3)
    assert layers.Dot(axes=(1, 1))([hocsau.Input((5,)), hocsau.Input((5,))]).shape == (None, 1)


def test_masks_follow_keras():
    data = np.arange(1, 13, dtype="float32").reshape(2, 3, 2)
    mask_a = np.array([[True, True, False], [True, False, False]])
    mask_b = np.array([[True, False, False], [True, True, False]])
    for name in ("Add", "Maximum", "Minimum", "Concatenate"):
        k_in = [keras.layers.Masking()(keras.ops.convert_to_tensor(d)) for d in (data, -data)]
        for t, m in zip(k_in, (mask_a, mask_b), strict=True):
            t._keras_mask = keras.ops.convert_to_tensor(m)
        theirs_layer = getattr(keras.layers, name)()
        theirs = theirs_layer(k_in)
        ours_in = [torch.from_numpy(d.copy()) for d in (data, -data)]
        for t, m in zip(ours_in, (mask_a, mask_b), strict=True):
            t._keras_mask = torch.from_numpy(m)
        ours = getattr(layers, name)()(ours_in)
        np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs), rtol=1e-6)
        np.testing.assert_array_equal(ours._keras_mask.numpy(),
                                      keras.ops.convert_to_numpy(theirs._keras_mask))


@pytest.mark.parametrize("name", ELEMENTWISE + ["Concatenate"])
def test_run_layer_test(name):
    run_layer_test(getattr(layers, name), {}, input_shape=[(2, 3), (2, 3)],
                   expected_output_shape=(2, 6) if name == "Concatenate" else (2, 3),
                   expected_num_trainable_weights=0, supports_masking=True)


def test_dot_run_layer_test_and_config():
    run_layer_test(layers.Dot, {"axes": 1, "normalize": True}, input_shape=[(2, 3), (2, 3)],
                   expected_output_shape=(2, 1), expected_num_trainable_weights=0)
    assert set(layers.Dot(1).get_config()) == set(keras.layers.Dot(1).get_config())
    assert set(layers.Concatenate().get_config()) == set(keras.layers.Concatenate().get_config())


@pytest.mark.parametrize("call, message", [
    (lambda: layers.Add()([hocsau.Input((3,)), hocsau.Input((4,))]), "incompatible shapes"),
    (lambda: layers.Subtract()([hocsau.Input((3,))] * 3), "exactly 2 inputs"),
    (lambda: layers.Add()(hocsau.Input((3,))), "list of inputs"),
    (lambda: layers.Concatenate()([hocsau.Input((3, 2)), hocsau.Input((4, 2))]),
     "matching shapes except for the concatenation axis"),
    (lambda: layers.Dot(1)([hocsau.Input((3,)), hocsau.Input((4,))]), "Incompatible input shapes"),
    (lambda: layers.Dot("x"), "Invalid type for argument `axes`"),
])
def test_errors(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
