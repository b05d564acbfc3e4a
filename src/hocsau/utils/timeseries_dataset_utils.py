"""`timeseries_dataset_from_array`: sliding windows over a series, batched for fit."""

from __future__ import annotations

import math

import numpy as np

from hocsau.utils.py_dataset import PyDataset


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Batches of windows `data[s : s + sequence_length * sampling_rate : sampling_rate]`.

    Windows start every `sequence_stride` steps within `data[start_index:end_index]`; window
    number i is paired with `targets[start_index + start_i]` (None: windows only). `shuffle`
    shuffles the window starts once with `seed`, as Keras does. Returns a `PyDataset` whose
    items are `(windows, targets)` batches (single windows when `batch_size` is None).
    """
    _check(data, targets, sequence_length, sequence_stride, sampling_rate, start_index,
           end_index)
    start_index = 0 if start_index is None else start_index
    end_index = len(data) if end_index is None else end_index
    count = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    starts = np.arange(0, max(count, 0), sequence_stride)
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(starts)
    return TimeseriesDataset(np.asarray(data)[start_index:end_index],
                             None if targets is None else np.asarray(targets)[start_index:],
                             starts, sequence_length, sampling_rate, batch_size)


class TimeseriesDataset(PyDataset):
    """The windows of `timeseries_dataset_from_array`, gathered batch by batch."""

    def __init__(self, data, targets, starts, sequence_length, sampling_rate, batch_size):
        super().__init__()
        self._data, self._targets, self._starts = data, targets, starts
        self._offsets = np.arange(sequence_length) * sampling_rate
        self._batch_size = batch_size

    def __len__(self) -> int:
        return math.ceil(len(self._starts) / (self._batch_size or 1))

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"Batch index {index} out of range for {len(self)} batches.")
        size = self._batch_size or 1
        starts = self._starts[index * size:(index + 1) * size]
        windows = self._data[starts[:, None] + self._offsets]
        targets = None if self._targets is None else self._targets[starts]
        if self._batch_size is None:
            windows, targets = windows[0], None if targets is None else targets[0]
        return windows if targets is None else (windows, targets)


def _check(data, targets, sequence_length, sequence_stride, sampling_rate, start_index,
           end_index) -> None:
    length = len(data)
    if targets is not None and len(targets) != length:
        raise ValueError("Expected data and targets to have the same number of time steps "
                         f"(axis 0) but got data.shape={np.shape(data)}, "
                         f"targets.shape={np.shape(targets)}")
    if start_index is not None and not 0 <= start_index < length:
        raise ValueError("`start_index` must be 0 or greater and lower than the length of the "
                         f"data. Received: start_index={start_index}, for data of length "
                         f"{length}")
    if end_index is not None and (start_index is not None and end_index <= start_index
                                  or end_index > length):
        raise ValueError("`end_index` must be higher than `start_index` and at most the length "
                         f"of the data. Received: start_index={start_index}, "
                         f"end_index={end_index}, for data of length {length}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0 or value >= length:
            raise ValueError(f"`{name}` must be higher than 0 and lower than the length of the "
                             f"data. Received: {name}={value}, for data of length {length}")
    if sequence_length <= 0:
        raise ValueError(f"`sequence_length` must be higher than 0. Received: "
                         f"sequence_length={sequence_length}")
