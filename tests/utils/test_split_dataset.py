"""split_dataset: Keras 3's size rules and messages, its seeded permutation on the torch backend,
and tf.data's element structure and in-order halves (hand-computed; Keras's tf.data path needs
TensorFlow)."""

import numpy as np
import pytest
import torch

from hocsau.data import Dataset
from hocsau.utils.dataset_utils import _rescale_split_sizes, split_dataset

keras = pytest.importorskip("keras")
from keras.src.utils.dataset_utils import _rescale_dataset_split_sizes  # noqa: E402


def rows(dataset) -> list:
    """Elements as nested Python numbers, for comparisons."""
    def plain(value):
        if isinstance(value, tuple):
            return tuple(plain(v) for v in value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return np.asarray(value).tolist()

    return [plain(element) for element in dataset]


# --- sizes --------------------------------------------------------------------------------------
VALID = [(0.6, None, 10), (None, 0.3, 10), (3, None, 10), (None, 4, 10), (3, 2, 10),
         (0.25, None, 10), (0.35, None, 10), (0.5, 0.5, 8), (0.2, 3, 10), (4, 0.5, 10),
         (0.15, 0.85, 100)]


@pytest.mark.parametrize("left, right, total", VALID)
def test_sizes_match_keras(left, right, total):
    expected = _rescale_dataset_split_sizes(left, right, total)
    assert _rescale_split_sizes(left, right, total) == expected


INVALID = [
    (0.7, 0.5, 10, ValueError, "The sum of `left_size` and `right_size` is greater than 1"),
    (8, 5, 10, ValueError, "should be smaller than the 10. Received: left_size \\+ right_size"),
    (0.5, 0.5, 7, ValueError, "smaller than the 7. Received: left_size \\+ right_size = 8"),
    (0.01, None, 10, ValueError, "Resulting left side dataset split will be empty"),
    (None, 0.04, 10, ValueError, "Resulting right side dataset split will be empty"),
    (1.0, None, 10, ValueError, "`left_size` should be either a positive integer smaller than 10"),
    (10, None, 10, ValueError, "`left_size` should be either a positive integer smaller than 10"),
    (None, -2, 10, ValueError, "`right_size` should be either a positive integer"),
    (0, 0, 10, ValueError, "Both `left_size` and `right_size` are zero"),
    (np.int64(3), None, 10, TypeError, "Invalid `left_size` Type"),
    (None, True, 10, TypeError, "Invalid `right_size` Type"),
    ("a", "b", 10, TypeError, "Invalid `left_size` and `right_size` Types"),
]


@pytest.mark.parametrize("left, right, total, error, message", INVALID)
def test_size_errors_match_keras(left, right, total, error, message):
    with pytest.raises(error, match=message):
        _rescale_dataset_split_sizes(left, right, total)
    with pytest.raises(error, match=message) as info:
        split_dataset(np.arange(total), left_size=left, right_size=right)
    assert "Received: " in str(info.value)


def test_a_size_is_required():
    with pytest.raises(ValueError, match="At least one of the `left_size` or `right_size` must be "
                                         "specified. Received: left_size=None"):
        keras.utils.split_dataset(np.arange(4))
    with pytest.raises(ValueError, match="At least one of the `left_size` or `right_size` must be "
                                         "specified. Received: left_size=None"):
        split_dataset(np.arange(4))


# --- contents -----------------------------------------------------------------------------------
def test_without_shuffle_left_is_the_start_and_right_the_end():
    x, y = np.arange(10), np.arange(10) * 10
    left, right = split_dataset((x, y), left_size=0.6)
    assert (len(left), len(right)) == (6, 4)
    assert rows(left) == [(i, 10 * i) for i in range(6)]
    assert rows(right) == [(i, 10 * i) for i in range(6, 10)]
    left, right = split_dataset(x, left_size=3, right_size=2)  # 5 samples left out
    assert rows(left) == [0, 1, 2] and rows(right) == [8, 9]


def test_seeded_shuffle_matches_keras_torch_backend():
    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.arange(10) * 10
    theirs = keras.utils.split_dataset((x, y), left_size=0.7, shuffle=True, seed=42)
    ours = split_dataset((x, y), left_size=0.7, shuffle=True, seed=42)
    for subset, split in zip(theirs, ours, strict=True):
        assert [int(b) // 10 for _, b in rows(split)] == list(subset.indices)
        assert rows(split) == [(x[i].tolist(), int(y[i])) for i in subset.indices]


def test_shuffle_is_a_reproducible_permutation():
    x = np.arange(50)
    left, right = split_dataset(x, left_size=0.8, shuffle=True, seed=7)
    together = rows(left) + rows(right)
    assert (len(left), len(right)) == (40, 10)
    assert sorted(together) == list(range(50)) and together != list(range(50))
    assert rows(split_dataset(x, left_size=0.8, shuffle=True, seed=7)[0]) == rows(left)
    assert rows(split_dataset(x, left_size=0.8, shuffle=True, seed=8)[0]) != rows(left)
    torch.manual_seed(3)
    unseeded = rows(split_dataset(x, left_size=0.8, shuffle=True)[0])
    torch.manual_seed(3)
    assert rows(split_dataset(x, left_size=0.8, shuffle=True)[0]) == unseeded


# --- element structure --------------------------------------------------------------------------
def test_element_structure_follows_the_input():
    x = np.arange(30, dtype="float32").reshape(10, 3)
    y = np.arange(10)
    array_left, _ = split_dataset(x, left_size=4)
    assert [e.shape for e in array_left] == [(3,)] * 4  # one array, not a 1-tuple
    list_left, _ = split_dataset([x, y], left_size=4)
    assert all(isinstance(e, tuple) and len(e) == 2 for e in list_left)
    dict_left, dict_right = split_dataset({"features": x, "label": y}, right_size=0.2)
    assert rows(dict_right) == [{"features": x[i].tolist(), "label": i} for i in (8, 9)]
    tensors, _ = split_dataset((torch.from_numpy(x), torch.from_numpy(y)), left_size=0.5)
    first = next(iter(tensors))
    assert isinstance(first[0], torch.Tensor) and tuple(first[0].shape) == (3,)
    batch_x, batch_y = next(iter(list_left.batch(3)))
    assert (batch_x.shape, batch_y.shape) == ((3, 3), (3,))


def test_datasets_of_samples():
    samples = Dataset.from_tensor_slices({"a": torch.arange(10), "b": np.arange(10) * 10})
    left, right = split_dataset(samples, right_size=0.3)
    assert (len(left), len(right)) == (7, 3)
    assert rows(right) == [{"a": i, "b": 10 * i} for i in (7, 8, 9)]
    assert isinstance(next(iter(right))["a"], torch.Tensor)
    torch_left, torch_right = split_dataset(
        torch.utils.data.TensorDataset(torch.arange(6.0), torch.arange(6)), left_size=2)
    assert rows(torch_left) == [(0.0, 0), (1.0, 1)]
    assert rows(torch_right) == [(float(i), i) for i in range(2, 6)]


# --- input errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("dataset, error, message", [
    ("abc", TypeError, "Unsupported dataset type: <class 'str'>"),
    ((np.arange(10), np.arange(5)), ValueError,
     "Received a tuple of NumPy arrays with different lengths. Mismatch found at index 1"),
    ([], ValueError, "Received an empty list dataset"),
    ([np.arange(3), [1, 2, 3]], ValueError,
     "Expected a list of `numpy.ndarray` objects .*Received: <class 'list'> at index 1"),
    (Dataset.from_generator(lambda: iter([np.zeros(2), np.zeros(3)])), ValueError,
     r"All `dataset` samples must have same shape, Expected shape: \(2,\) Received shape: "
     r"\(3,\) at index 1"),
    (Dataset.from_generator(lambda: iter([(1, 2), (3,)])), ValueError,
     "same structure. Expected: a tuple of 2. Received: a tuple of 1"),
    (Dataset.from_generator(lambda: iter([])), ValueError, "Received an empty dataset"),
    (Dataset.range(3).repeat(), ValueError, "Cannot split an infinite dataset"),
])
def test_invalid_datasets(dataset, error, message):
    with pytest.raises(error, match=message):
        split_dataset(dataset, left_size=0.5)
