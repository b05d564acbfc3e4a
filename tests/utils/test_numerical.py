"""to_categorical and normalize against keras.utils."""

import keras
import numpy as np
import pytest
import torch

from hocsau.utils.numerical import normalize, to_categorical


@pytest.mark.parametrize("x, num_classes", [
    ([0, 1, 2, 3], None),
    ([0, 2, 1], 5),
    ([[1], [0], [2]], None),
    ([[1, 2], [0, 1]], 4),
    ([[[1], [2]], [[0], [3]]], None),
    (3, None),
    (np.array([1.0, 2.0]), 3),
])
def test_to_categorical_matches_keras(x, num_classes):
    ours = to_categorical(x, num_classes)
    theirs = keras.utils.to_categorical(x, num_classes)
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype == np.float64
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_shapes_by_hand():
    assert to_categorical([[1], [0]]).tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert to_categorical(np.zeros((4, 1), "int32"), 3).shape == (4, 3)
    assert to_categorical(np.zeros((2, 3, 1), "int32"), 3).shape == (2, 3, 3)
    assert to_categorical(np.zeros((2, 1, 3), "int32"), 3).shape == (2, 1, 3, 3)


def test_to_categorical_tensor():
    x = torch.tensor([[2], [0], [-1]])
    ours = to_categorical(x, 3)
    assert ours.dtype == torch.float32
    assert ours.tolist() == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    np.testing.assert_array_equal(ours.numpy(), keras.utils.to_categorical(x, 3).numpy())
    assert to_categorical(torch.tensor([1, 4])).shape == (2, 5)


@pytest.mark.parametrize("shape, axis, order", [
    ((4, 5), -1, 2), ((4, 5), 1, 1), ((4, 5), -1, 3), ((2, 3, 4), 1, 2), ((2, 3, 4), -1, 1),
    ((5,), -1, 2), ((3, 3), None, 2),
])
def test_normalize_numpy_matches_keras(shape, axis, order):
    x = np.random.RandomState(1).randn(*shape)
    x[0] = 0.0  # an all-zero slice stays zero
    ours = normalize(x, axis=axis, order=order)
    theirs = keras.utils.normalize(x, axis=axis, order=order)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_normalize_numpy_by_hand():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, -1.0]])
    np.testing.assert_allclose(normalize(x), [[0.6, 0.8], [0.0, 0.0], [0.5**0.5, -(0.5**0.5)]])
    np.testing.assert_allclose(normalize(x, order=1), [[3 / 7, 4 / 7], [0, 0], [0.5, -0.5]])
    # axis=0 divides each column by its own norm (Keras expands the norm on the last axis).
    np.testing.assert_allclose(normalize(np.array([[3.0, 1.0], [4.0, 0.0]]), axis=0),
                               [[0.6, 1.0], [0.8, 0.0]])
    assert normalize(np.array([3.0, 4.0])).tolist() == [[0.6, 0.8]]


@pytest.mark.parametrize("order", [1, 2, 3])
def test_normalize_tensor_matches_keras(order):
    x = torch.randn(4, 6)
    x[1] = 0.0
    ours = normalize(x, order=order)
    theirs = keras.utils.normalize(x, order=order)
    assert isinstance(ours, torch.Tensor) and ours.dtype == torch.float32
    torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=1e-7)
    assert ours[1].abs().sum().item() == 0.0


def test_normalize_list_and_errors():
    ours = normalize([[3, 4], [0, 0]])
    assert isinstance(ours, torch.Tensor)
    torch.testing.assert_close(ours, torch.tensor([[0.6, 0.8], [0.0, 0.0]]))
    with pytest.raises(ValueError, match=r"`order` must be an int >= 1. Received: order=0"):
        normalize(torch.ones(2, 2), order=0)
