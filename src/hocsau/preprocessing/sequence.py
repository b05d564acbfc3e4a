"""Sequence preprocessing: padding, word2vec skip-grams and sliding-window batches.

`pad_sequences` is `keras.preprocessing.sequence.pad_sequences`; the rest are the Keras 1/2
utilities Keras 3 keeps under `keras._legacy.preprocessing.sequence`.
"""

from __future__ import annotations

import json
import random

import numpy as np

from hocsau.utils.py_dataset import PyDataset
from hocsau.utils.sequence_utils import pad_sequences

__all__ = ["TimeseriesGenerator", "make_sampling_table", "pad_sequences", "skipgrams"]

# The rounded Euler-Mascheroni constant of the original word2vec-style table.
_GAMMA = 0.577


def make_sampling_table(size: int, sampling_factor: float = 1e-5) -> np.ndarray:
    """Probability of keeping the word of each frequency rank, for `skipgrams`.

    Word frequencies are assumed Zipfian, `1 / frequency(rank) ~ rank * (log(rank) + gamma)
    + 1/2 - 1 / (12 rank)`, and a word is kept with word2vec's probability
    `min(1, sqrt(sampling_factor / frequency))`. Entry 0 uses rank 1.

    Args:
        size: number of ranks (the vocabulary size).
        sampling_factor: word2vec's sampling factor.

    Returns:
        A float64 array of shape `(size,)`.
    """
    rank = np.arange(size)
    rank[0] = 1
    inv_frequency = rank * (np.log(rank) + _GAMMA) + 0.5 - 1.0 / (12.0 * rank)
    scaled = sampling_factor * inv_frequency
    return np.minimum(1.0, scaled / np.sqrt(scaled))


def skipgrams(sequence, vocabulary_size: int, window_size: int = 4,
              negative_samples: float = 1.0, shuffle: bool = True, categorical: bool = False,
              sampling_table=None, seed: int | None = None) -> tuple[list, list]:
    """Word pairs for skip-gram training: `(word, neighbour)` labelled 1 and
    `(word, random word)` labelled 0.

    Args:
        sequence: word ids; id 0 is not a word and is skipped.
        vocabulary_size: largest word id + 1 (negatives are drawn from `[1, size - 1]`).
        window_size: how many words on each side count as neighbours.
        negative_samples: negatives per positive pair (0 for none).
        shuffle: whether to shuffle the pairs (with their labels).
        categorical: labels as `[0, 1]` / `[1, 0]` instead of `1` / `0`.
        sampling_table: keep probability per word id (see `make_sampling_table`).
        seed: seeds every random draw of this call; `None` uses Python's global `random`.
            Keras draws the sampling and the negatives from the global `random` even with
            a seed: seeding it with the same seed first gives Keras's exact output.

    Returns:
        `(couples, labels)`: a list of `[word, context]` pairs and a list of labels.
    """
    rng = random if seed is None else random.Random(seed)
    couples = []
    for i, word in enumerate(sequence):
        if not word or (sampling_table is not None and sampling_table[word] < rng.random()):
            continue
        window = range(max(0, i - window_size), min(len(sequence), i + window_size + 1))
        couples += [[word, sequence[j]] for j in window if j != i and sequence[j]]
    labels = [1] * len(couples)
    if negative_samples > 0:
        num_negative = int(len(couples) * negative_samples)
        words = [pair[0] for pair in couples]
        rng.shuffle(words)
        couples += [[words[k % len(words)], rng.randint(1, vocabulary_size - 1)]
                    for k in range(num_negative)]
        labels += [0] * num_negative
    if shuffle:
        # Keras re-seeds before shuffling (with a fresh draw when no seed is given); the
        # same draws give the same pairs as Keras from the same random state.
        order = list(range(len(couples)))
        random.Random(rng.randint(0, 10**7) if seed is None else seed).shuffle(order)
        couples, labels = [couples[k] for k in order], [labels[k] for k in order]
    if categorical:
        labels = [[1 - label, label] for label in labels]
    return couples, labels


class TimeseriesGenerator(PyDataset):
    """Batches of sliding windows over a time series, for `fit` (a `PyDataset`).

    Sample `k` of the series ends just before row `r_k`: its input is
    `data[r_k - length : r_k : sampling_rate]` and its target is `targets[r_k]`. Rows run
    from `start_index + length` to `end_index` in steps of `stride`.

    Args:
        data: indexable series (list or array), time on axis 0.
        targets: one target per timestep of `data` (same length).
        length: window length, in timesteps, before subsampling.
        sampling_rate: step between the timesteps kept inside a window.
        stride: step between consecutive windows.
        start_index: first timestep windows may use.
        end_index: last row that may be a target (default: the last one).
        shuffle: draw each batch's rows at random (with replacement) instead of in order.
        reverse: give each window's timesteps in reverse order.
        batch_size: windows per batch (the last batch may be smaller).

    Example:
        >>> gen = TimeseriesGenerator(np.arange(10), np.arange(10), length=3, batch_size=2)
        >>> len(gen), gen[0][0].tolist(), gen[0][1].tolist()
        (4, [[0, 1, 2], [1, 2, 3]], [3, 4])
    """

    def __init__(self, data, targets, length: int, sampling_rate: int = 1, stride: int = 1,
                 start_index: int = 0, end_index: int | None = None, shuffle: bool = False,
                 reverse: bool = False, batch_size: int = 128):
        if len(data) != len(targets):
            raise ValueError(f"Data and targets have to be of same length. Data length is "
                             f"{len(data)} while target length is {len(targets)}")
        super().__init__()
        self.data = data
        self.targets = targets
        self.length = length
        self.sampling_rate = sampling_rate
        self.stride = stride
        # As in Keras, `start_index` is the first row that may be a target.
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = batch_size
        if self.start_index > self.end_index:
            raise ValueError(
                f"`start_index+length={self.start_index} > end_index={self.end_index}` is "
                "disallowed, as no part of the sequence would be left to be used as current "
                "step."
            )

    def __len__(self) -> int:
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            first = self.start_index + self.batch_size * self.stride * index
            last = min(first + self.batch_size * self.stride, self.end_index + 1)
            rows = np.arange(first, last, self.stride)
        samples = np.array([self.data[r - self.length:r:self.sampling_rate] for r in rows])
        targets = np.array([self.targets[r] for r in rows])
        return (samples[:, ::-1, ...] if self.reverse else samples), targets

    def get_config(self) -> dict:
        """The constructor arguments; `data` and `targets` as JSON strings."""
        return {
            "data": _to_json(self.data, "Data"),
            "targets": _to_json(self.targets, "Targets"),
            "length": self.length,
            "sampling_rate": self.sampling_rate,
            "stride": self.stride,
            "start_index": self.start_index - self.length,
            "end_index": self.end_index,
            "shuffle": self.shuffle,
            "reverse": self.reverse,
            "batch_size": self.batch_size,
        }

    def to_json(self, **kwargs) -> str:
        """`{"class_name": "TimeseriesGenerator", "config": get_config()}` as JSON; `kwargs`
        go to `json.dumps`."""
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()},
                          **kwargs)


def _to_json(values, what: str) -> str:
    values = values.tolist() if isinstance(values, np.ndarray) else values
    try:
        return json.dumps(values)
    except TypeError as error:
        raise TypeError(f"{what} not JSON Serializable: {values}") from error
