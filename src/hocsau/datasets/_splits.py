"""Seeded shuffling and train/test splits shared by the datasets, in Keras's exact order."""

from __future__ import annotations

import numpy as np


def shuffled(rng: np.random.RandomState, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays reordered by one permutation drawn from `rng` (as Keras draws it)."""
    indices = np.arange(len(arrays[0]))
    rng.shuffle(indices)
    return tuple(array[indices] for array in arrays)


def split_index(length: int, test_split: float) -> int:
    """How many of `length` samples go to the training part."""
    return int(length * (1 - test_split))


def check_test_split(test_split: float) -> None:
    if not 0 <= test_split < 1:
        raise ValueError(
            f"Invalid `test_split` argument: {test_split}. "
            "It must be between 0 and 1 (exclusive of 1)."
        )


def shuffle_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int):
    """`((x_train, y_train), (x_test, y_test))` after one seeded shuffle of the samples."""
    x, y = shuffled(np.random.RandomState(seed), x, y)
    cut = split_index(len(x), test_split)
    return (x[:cut].copy(), y[:cut].copy()), (x[cut:].copy(), y[cut:].copy())
