"""`timeseries_dataset_from_array`: sliding windows over a series, as a `Dataset` for fit."""

from __future__ import annotations

import numpy as np
import torch

from hocsau.data import AUTOTUNE, Dataset
from hocsau.utils.argument_validation import check_dataset_format


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None, format="tf"):
    """A `hocsau.data.Dataset` of batches of windows
    `data[s : s + sequence_length * sampling_rate : sampling_rate]`, as Keras gives them.

    Windows start every `sequence_stride` steps within `data[start_index:end_index]`; window
    number i is paired with `targets[start_index + start_i]` (None: windows only). `shuffle`
    shuffles the window starts once with `seed` (as Keras, with numpy), then the windows in a
    buffer of 8 batches, differently each epoch. Elements are `(windows, targets)` batches
    (single windows when `batch_size` is None), gathered as they are drawn.
    """
    check_dataset_format(format)
    _check(data, targets, sequence_length, sequence_stride, sampling_rate, start_index,
           end_index)
    start_index = start_index or 0
    end_index = len(data) if end_index is None else end_index
    count = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    starts = np.arange(0, max(count, 0), sequence_stride)
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(starts)
    ds = Dataset.from_tensor_slices(starts)
    if shuffle:
        ds = ds.shuffle(8 * batch_size if batch_size else 1024, seed=seed)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    gather = _Windows(_tensor(data)[start_index:end_index],
                      None if targets is None else _tensor(targets)[start_index:end_index],
                      torch.arange(sequence_length) * sampling_rate)
    return ds.map(gather).prefetch(AUTOTUNE)


class _Windows:
    """Start positions (one, or a batch) to windows, with their targets."""

    def __init__(self, data, targets, offsets):
        self.data, self.targets, self.offsets = data, targets, offsets

    def __call__(self, starts):
        windows = self.data[starts.unsqueeze(-1) + self.offsets]
        return windows if self.targets is None else (windows, self.targets[starts])


def _tensor(array) -> torch.Tensor:
    """The series as one CPU tensor of its own dtype, gathered from as windows are drawn."""
    return torch.from_numpy(np.array(array))


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
                                  or not 0 < end_index < length):
        raise ValueError("`end_index` must be higher than `start_index` and 0, and lower than "
                         f"the length of the data. Received: start_index={start_index}, "
                         f"end_index={end_index}, for data of length {length}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0 or value >= length:
            raise ValueError(f"`{name}` must be higher than 0 and lower than the length of the "
                             f"data. Received: {name}={value}, for data of length {length}")
    if sequence_length <= 0:
        raise ValueError(f"`sequence_length` must be higher than 0. Received: "
                         f"sequence_length={sequence_length}")
