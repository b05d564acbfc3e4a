"""Which batches, or which rows of each batch, this process reads under `DataParallel`.

Each source below wraps a data adapter and yields `(local batch or None, loss scale, owners)`
once per batch: `owners` are the ranks holding rows of that batch (`predict` interleaves the
outputs back with them), None means this process has no part of it (evaluate / predict).

- Arrays: `batch_size` is the global batch; each process gathers only its `tensor_split`
  rows of it, in the shared shuffled order. The last batch may split unevenly: the loss is
  scaled by `n_local * world / n_global` so DDP's mean is the global-mean gradient.
- Every other source (PyDataset, torch DataLoader, `hocsau.data.Dataset`, generators) yields
  per-process batches: process r takes batches r, r + W, r + 2W, ... (only these are loaded:
  PyDataset indices, a DataLoader's batch sampler; a generator or iterable is read by every
  process, which prepares only its own). Training needs the same number of steps everywhere:
  it takes `min over processes of (batches // W)` steps (one all-reduce per epoch; the last
  `batches % W` are dropped, with a warning), or, when the length is unknown, every step
  first checks that every process still has a batch (one small all-reduce per step).
  Evaluate / predict read every batch (no collective per step).
- `DataParallel(split_batches=True)` (the MirroredStrategy shim): any source's batch is
  global and split by rows, like arrays.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import torch

from hocsau.distribution import collectives
from hocsau.models.symbolic import flatten, map_structure
from hocsau.trainers.data_adapters.array_adapter import ArrayAdapter
from hocsau.trainers.data_adapters.generator_adapter import GeneratorAdapter
from hocsau.trainers.data_adapters.sequence_adapter import SequenceAdapter


def shard_source(adapter, rank: int, world: int, training: bool, split_batches: bool):
    """The source this process iterates instead of `adapter` (see the module docstring)."""
    if isinstance(adapter, ArrayAdapter):
        return _ArrayRows(adapter, rank, world)
    if split_batches:
        return _SplitRows(adapter, rank, world)
    if isinstance(adapter, SequenceAdapter):
        return _SequenceShare(adapter, rank, world, training)
    loader = getattr(adapter, "_data", None)
    if _is_map_style_loader(loader):
        return _LoaderShare(adapter, loader, rank, world, training)
    return _RoundRobin(adapter, rank, world, training)


class _ArrayRows:
    def __init__(self, adapter, rank: int, world: int):
        self._adapter, self._rank, self._world = adapter, rank, world

    @property
    def num_batches(self):
        return self._adapter.num_batches

    def __iter__(self):
        for rows, local in self._adapter.shard_batches(self._rank, self._world):
            yield _row_piece(local, rows, self._world)


class _SplitRows(_ArrayRows):
    def __iter__(self):
        for batch in self._adapter:
            local = map_structure(lambda v: _part(v, self._world, self._rank), batch)
            yield _row_piece(local, rows_of(batch), self._world)


def _row_piece(local, rows: int, world: int):
    local_rows = rows_of(local)
    owners = tuple(r for r in range(world) if r < rows)  # the ranks with at least one row
    return (local if local_rows else None), local_rows * world / rows, owners


def _part(value, world: int, rank: int):
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return np.array_split(value, world)[rank]
    return torch.tensor_split(value, world)[rank]


def rows_of(batch) -> int:
    return int(flatten(batch)[0].shape[0])


class _Share:
    """Per-process batches: global batch i belongs to process i % W."""

    def __init__(self, adapter, rank: int, world: int, training: bool):
        self._adapter, self._rank, self._world = adapter, rank, world
        self._training = training
        self._warned = False

    def _length(self) -> int | None:
        return self._adapter.num_batches

    @property
    def num_batches(self):
        total = self._length()
        if total is None or not self._training:
            return total
        return total // self._world

    def _steps(self, total: int) -> int:
        """Training steps this epoch: the smallest share over the processes."""
        steps = collectives.min_over_processes(total // self._world)
        dropped = total - steps * self._world
        if dropped and not self._warned:
            self._warned = True
            warnings.warn(f"DataParallel: {total} batches per epoch do not split evenly over "
                          f"{self._world} processes; each trains on {steps} of them and the "
                          f"last {dropped} are skipped every epoch (every process must run the "
                          "same number of steps).", stacklevel=2)
        return steps

    def _pieces(self, own_batches, total: int):
        """Evaluate / predict: every global batch, None where another process owns it."""
        for index in range(total):
            owner = index % self._world
            yield (next(own_batches) if owner == self._rank else None), 1.0, (owner,)
        next(own_batches, None)  # run the source to its end (a PyDataset's on_epoch_end)


class _SequenceShare(_Share):
    """A PyDataset: this process loads only its own indices of the chief's (shuffled) order."""

    def __iter__(self):
        order = collectives.broadcast_object(self._adapter.epoch_order())
        own = order[self._rank::self._world]
        if self._training:
            own = own[:self._steps(len(order))]
            return ((batch, 1.0, (self._rank,)) for batch in self._adapter.batches(own))
        return self._pieces(iter(self._adapter.batches(own)), len(order))


class _LoaderShare(_Share):
    """A map-style torch DataLoader: rebuilt on a batch sampler that keeps this process's
    batches, so its workers load only those (the sampler's shuffle comes from the random
    state every process shares)."""

    def __init__(self, adapter, loader, rank: int, world: int, training: bool):
        super().__init__(adapter, rank, world, training)
        self._batches = loader.batch_sampler
        self._sampler = _EveryNth(loader.batch_sampler, rank, world)
        self._loader = _rebuilt(loader, self._sampler)

    def _length(self) -> int:
        return len(self._batches)

    def __iter__(self):
        total = len(self._batches)
        self._sampler.limit = self._steps(total) if self._training else None
        own = map(self._adapter.prepare, self._loader)
        if self._training:
            return ((batch, 1.0, (self._rank,)) for batch in own)
        return self._pieces(own, total)


class _EveryNth(torch.utils.data.Sampler):
    """Batches `rank`, `rank + world`, ... of `batch_sampler` (at most `limit` of them)."""

    def __init__(self, batch_sampler, rank: int, world: int):
        self._batches, self._rank, self._world = batch_sampler, rank, world
        self.limit = None

    def __len__(self) -> int:
        share = len(range(self._rank, len(self._batches), self._world))
        return share if self.limit is None else min(share, self.limit)

    def __iter__(self):
        taken = 0
        for index, batch in enumerate(self._batches):
            if self.limit is not None and taken >= self.limit:
                return
            if index % self._world == self._rank:
                taken += 1
                yield batch


_LOADER_OPTIONS = ("num_workers", "collate_fn", "pin_memory", "timeout", "worker_init_fn",
                   "multiprocessing_context", "generator", "prefetch_factor",
                   "persistent_workers", "pin_memory_device", "in_order")


def _rebuilt(loader, batch_sampler):
    options = {name: getattr(loader, name) for name in _LOADER_OPTIONS if hasattr(loader, name)}
    return torch.utils.data.DataLoader(loader.dataset, batch_sampler=batch_sampler, **options)


def _is_map_style_loader(data) -> bool:
    """A DataLoader indexing its dataset through a batch sampler of known length."""
    if not isinstance(data, torch.utils.data.DataLoader) or data.batch_sampler is None \
            or isinstance(data.dataset, torch.utils.data.IterableDataset):
        return False
    try:
        len(data.batch_sampler)
    except TypeError:
        return False
    return True


class _RoundRobin(_Share):
    """Generators, iterable DataLoaders, `hocsau.data.Dataset`: every process reads the
    stream and prepares (moves to the device) only its own batches."""

    _position = 0  # batches of the stream read so far (kept across epochs for generators)

    def __iter__(self):
        total = self._length()
        if not self._training:
            return self._evaluation_pieces()
        if total is not None:
            return self._counted(self._steps(total))
        return self._agreed()

    def _own(self):
        # A one-shot generator continues across epochs: count from where the stream is, so
        # the processes stay aligned however many batches each read last epoch.
        if not isinstance(self._adapter, GeneratorAdapter):
            self._position = 0
        for batch in self._adapter.raw():
            index, self._position = self._position, self._position + 1
            if index % self._world == self._rank:
                yield self._adapter.prepare(batch)

    def _counted(self, steps: int):
        for batch in itertools.islice(self._own(), steps):
            yield batch, 1.0, (self._rank,)

    def _agreed(self):
        """Length unknown: before each step every process says whether it has a batch; the
        epoch ends for all when one has none."""
        own = self._own()
        while True:
            batch = next(own, None)
            if not collectives.min_over_processes(int(batch is not None)):
                if batch is not None:
                    _warn_dropped(self._rank)
                return
            yield batch, 1.0, (self._rank,)

    def _evaluation_pieces(self):
        for index, batch in enumerate(self._adapter.raw()):
            owner = index % self._world
            yield (self._adapter.prepare(batch) if owner == self._rank else None), 1.0, (owner,)


def _warn_dropped(rank: int) -> None:
    warnings.warn(f"DataParallel: process {rank} still had a batch when another process's data "
                  "ran out; the epoch ends for every process at the same step, so it was "
                  "skipped. Give every process the same number of batches, or a source with "
                  "a length.", stacklevel=3)

