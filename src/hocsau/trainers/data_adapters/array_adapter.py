"""`ArrayAdapter`: in-memory arrays moved to the device once and batched by slicing."""

from __future__ import annotations

import math

import numpy as np
import torch

from hocsau import config
from hocsau.models.symbolic import flatten, map_structure
from hocsau.trainers.data_adapters.batch_utils import (
    class_weights_to_sample_weights,
    describe,
    pack_x_y_sample_weight,
    to_device,
)
from hocsau.trainers.data_adapters.placement import array_homes


def is_array_like(value) -> bool:
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return True
    if hasattr(value, "to_numpy") and hasattr(value, "shape"):  # pandas
        return True
    if isinstance(value, dict):
        return bool(value) and all(is_array_like(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return bool(value) and (all(is_array_like(v) for v in value)
                                or isinstance(value[0], (int, float, np.number, list, tuple, str)))
    return False


class ArrayAdapter:
    """Batches from arrays, tensors, or lists / dicts of them, packed as Keras packs them:
    `x` alone without targets, else `(x, y)` or `(x, y, sample_weight)`.

    The arrays become device tensors once; unshuffled batches are contiguous slices, shuffled
    ones gather their rows from one permutation drawn per epoch (a batch-sized gather per
    step, never a copy of the whole array). Arrays too large for a GPU stay on the host, each
    batch copied when used (`placement.py`).
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size: int = 32, shuffle=False,
                 class_weight=None, steps: int | None = None):
        x, y, sample_weight = (_from_pandas(v) for v in (x, y, sample_weight))
        home, self._batch_device, pin = array_homes((x, y, sample_weight), config.device())
        self._data = tuple(to_device(v, home, pin=pin) for v in (x, y, sample_weight))
        self.num_samples = _check_cardinality(self._data)
        if class_weight is not None:
            self._data = self._with_class_weights(class_weight)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.steps = steps

    def _with_class_weights(self, class_weight: dict):
        x, y, sample_weight = self._data
        if y is None or isinstance(y, (list, tuple, dict)):
            raise ValueError("`class_weight` is only supported for Models with a single output "
                             f"(a single target array `y`). Received: y={describe(y)}")
        weights = class_weights_to_sample_weights(y, class_weight)
        if sample_weight is not None:
            weights = weights * sample_weight
        return x, y, weights

    @property
    def num_batches(self) -> int:
        batches = math.ceil(self.num_samples / self.batch_size)
        return batches if self.steps is None else self.steps

    def __iter__(self):
        order, data = self._epoch_order(), self._data
        n, size = self.num_samples, self.batch_size
        for start in range(0, n, size):
            stop = min(start + size, n)
            batch = _slice(data, start, stop) if order is None else _take(data, order[start:stop])
            if self._batch_device is not None:  # arrays too large for the GPU: kept on host
                batch = to_device(batch, self._batch_device)
            yield pack_x_y_sample_weight(*batch)

    def shard_batches(self, rank: int, world: int):
        """(global rows, this process's rows) for every global batch: the batch's
        `tensor_split` part number `rank` of `world`, gathered alone (the other rows are not
        touched). The shuffle draws the same order as `__iter__` from the same random state."""
        order = self._epoch_order()
        n, size = self.num_samples, self.batch_size
        for start in range(0, n, size):
            rows = min(size, n - start)
            low, high = (start + b for b in split_bounds(rows, world, rank))
            part = _slice(self._data, low, high) if order is None \
                else _take(self._data, order[low:high])
            yield rows, pack_x_y_sample_weight(*part)

    def _epoch_order(self):
        """This epoch's row order (None: as stored)."""
        n, device = self.num_samples, _device_of(self._data)
        if self.shuffle == "batch":
            return _batchwise_permutation(n, self.batch_size, device)
        if self.shuffle:
            return torch.randperm(n, device=device)
        return None

    def split(self, validation_split: float):
        """(train, validation) raw data: the last `validation_split` of the rows validate."""
        split_at = int(math.floor(self.num_samples * (1.0 - validation_split)))
        if split_at == 0 or split_at == self.num_samples:
            raise ValueError(
                f"Training data contains {self.num_samples} samples, which is not sufficient to "
                f"split it into a validation and training set as specified by "
                f"`validation_split={validation_split}`. Either provide more data, or a different "
                "value for the `validation_split` argument.")
        return _slice(self._data, 0, split_at), _slice(self._data, split_at, self.num_samples)


def split_bounds(rows: int, world: int, rank: int) -> tuple[int, int]:
    """[low, high) of part `rank` when `rows` are split into `world` parts as
    `torch.tensor_split` does (the first `rows % world` parts one row longer)."""
    base, extra = divmod(rows, world)
    low = rank * base + min(rank, extra)
    return low, low + base + (1 if rank < extra else 0)


def _from_pandas(value):
    if hasattr(value, "to_numpy") and hasattr(value, "shape") and not isinstance(
            value, (np.ndarray, torch.Tensor)):
        return value.to_numpy()
    return value


def _check_cardinality(data) -> int:
    names = ("x", "y", "sample_weight")
    # A None leaf is the target of an output trained without a loss (`loss=[None, ...]`).
    sizes = {name: [t.shape[0] for t in flatten(part) if t is not None]
             for name, part in zip(names, data, strict=False)
             if part is not None}
    all_sizes = {s for values in sizes.values() for s in values}
    if len(all_sizes) != 1:
        detail = ", ".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items())
        raise ValueError("Data cardinality is ambiguous. Make sure all arrays contain the same "
                         f"number of samples. Received: {detail}")
    return all_sizes.pop()


def _device_of(data):
    tensors = [t for t in flatten(data) if isinstance(t, torch.Tensor)]
    return tensors[0].device if tensors else torch.device("cpu")


def _batchwise_permutation(n: int, size: int, device) -> torch.Tensor:
    order = torch.randperm(math.ceil(n / size), device=device)
    index = torch.arange(n, device=device)
    chunks = list(torch.split(index, size))
    return torch.cat([chunks[i] for i in order.tolist()])


def _take(data, index):
    return map_structure(lambda t: None if t is None else _rows(t, index), data)


def _rows(values, index: torch.Tensor):
    if isinstance(values, np.ndarray):  # strings stay on the host
        return values[index.cpu().numpy()]
    return values.index_select(0, index)


def _slice(data, start: int, stop: int):
    return map_structure(lambda t: None if t is None else t[start:stop], data)
