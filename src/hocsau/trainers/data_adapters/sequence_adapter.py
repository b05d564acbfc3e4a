"""`SequenceAdapter`: batches from a `utils.PyDataset` (or legacy `utils.Sequence`), loaded in
the training loop, by worker threads, or by worker processes."""

from __future__ import annotations

import collections
import concurrent.futures
import concurrent.futures.process
import contextlib
import ctypes
import ctypes.util
import itertools
import multiprocessing
import os
import pickle
import random
import signal
import sys
import threading
import time

import numpy as np
import torch

from hocsau.trainers.data_adapters.generator_adapter import prepare_batch


class SequenceAdapter:
    """Indexes the dataset batch by batch, as its `workers` / `use_multiprocessing` ask.

    One epoch:

        dataset.on_epoch_begin()
        workers == 1, no multiprocessing:  batch = dataset[index], in the loop
        workers > 1, no multiprocessing:   a thread pool loads batches ahead
        use_multiprocessing:               batch 0 here, then a new process pool loads ahead
        batches are yielded in order, at most `max_queue_size` requested ahead
        dataset.on_epoch_end()             # here, so the next epoch's processes see its effect

    The pool is shut down when the epoch ends, when loading fails (the worker's exception is
    re-raised here, type and message intact) and when iteration stops early or is
    interrupted (its processes are terminated). Worker processes also die with this process
    when it is killed outright (`kill -9`, out of memory): see `_die_with_parent`.
    """

    def __init__(self, dataset, shuffle=False, class_weight=None):
        self._dataset = dataset
        self._shuffle = bool(shuffle)
        self._class_weight = class_weight

    @property
    def num_batches(self) -> int:
        return len(self._dataset)

    def __iter__(self):
        return self.batches(self.epoch_order())

    def epoch_order(self) -> list[int]:
        """The batch indices of one epoch, shuffled when asked."""
        order = list(range(len(self._dataset)))
        if self._shuffle:
            random.shuffle(order)
        return order

    def batches(self, order):
        """The batches at `order` (indices), between the dataset's epoch hooks."""
        dataset = self._dataset
        getattr(dataset, "on_epoch_begin", lambda: None)()
        for batch in self._load(order):
            if isinstance(batch, (np.ndarray, torch.Tensor)):
                batch = (batch,)  # Keras's rule for a PyDataset returning the inputs alone
            yield prepare_batch(batch, self._class_weight)
        dataset.on_epoch_end()

    def _load(self, order):
        dataset = self._dataset
        workers = int(getattr(dataset, "workers", 1) or 1)
        ahead = max(int(getattr(dataset, "max_queue_size", 10) or 1), 1)
        if getattr(dataset, "use_multiprocessing", False):
            return _process_batches(dataset, order, workers, ahead)
        if workers > 1:
            return _thread_batches(dataset, order, workers, ahead)
        return (dataset[index] for index in order)


def _thread_batches(dataset, order, workers: int, ahead: int):
    with _running(concurrent.futures.ThreadPoolExecutor(workers)) as pool:
        yield from _prefetched(pool, dataset.__getitem__, order, ahead)


def _process_batches(dataset, order, workers: int, ahead: int):
    """Batch `order[0]` from this process, the rest from a pool started afterwards: state a
    dataset sets up on first access (the image iterators' sample order) is then shared by all
    workers instead of being drawn in each of them."""
    if not order:
        return
    first = dataset[order[0]]
    context = multiprocessing.get_context(_start_method())
    if context.get_start_method() != "fork":
        _check_picklable(dataset, context.get_start_method())
    pool = concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(dataset, os.getpid()))
    with _running(pool):
        batches = _prefetched(pool, _load_in_worker, order[1:], ahead)
        yield first  # while the workers load the next ones
        try:
            for batch in batches:
                yield _nested_map(batch, _TensorBytes, _TensorBytes.to_tensor)
        except concurrent.futures.process.BrokenProcessPool as error:
            raise concurrent.futures.process.BrokenProcessPool(
                f"A worker process loading batches of {type(dataset).__name__} ended abruptly "
                f"(killed, for instance when out of memory, or crashed in native code). "
                f"Received: {error}") from error


def _prefetched(pool, load, order, ahead: int):
    """`load(index)` for each index of `order`, in order, with at most `ahead` calls pending:
    the first `ahead` are submitted now (starting the pool's workers), the others as results
    are taken."""
    indices = iter(order)
    pending = collections.deque(pool.submit(load, i) for i in itertools.islice(indices, ahead))

    def results():
        while pending:
            future = pending.popleft()
            pending.extend(pool.submit(load, i) for i in itertools.islice(indices, 1))
            yield future.result()

    return results()


@contextlib.contextmanager
def _running(pool):
    """Shuts `pool` down on leaving. On an error or an early stop, queued loads are dropped
    and worker processes terminated (a Ctrl-C should not wait for a slow batch); threads
    cannot be stopped, so their running loads finish first."""
    try:
        yield pool
    except BaseException:
        if isinstance(pool, concurrent.futures.ProcessPoolExecutor):
            _terminate(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _terminate(pool) -> None:
    # `ProcessPoolExecutor.terminate_workers` only exists from Python 3.14; its process table
    # (pid -> Process) has been stable since 3.3. The pool then reports itself broken.
    for process in list((pool._processes or {}).values()):
        process.terminate()


def _start_method() -> str:
    """fork where it is safe (Linux): no pickling, and workers inherit the dataset as it is;
    macOS and Windows spawn (macOS system libraries are not fork-safe)."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def _check_picklable(dataset, method: str) -> None:
    try:
        pickle.dumps(dataset)
    except Exception as error:
        name = type(dataset).__name__
        raise TypeError(
            f"`use_multiprocessing=True` sends the dataset to worker processes started with "
            f"'{method}', so it must be picklable, but {name} is not: make {name} picklable "
            f"(no lambdas, locks, open files or generators as attributes) or set "
            f"`use_multiprocessing=False` to load with threads. Received: {name} "
            f"({type(error).__name__}: {error})") from error


_worker_dataset = None


def _start_worker(dataset, parent: int) -> None:
    """Pool initializer: dies with the `parent` process, keeps the dataset, leaves Ctrl-C to
    the parent (which stops the pool) and reseeds the global random states, which forked
    workers would otherwise share."""
    global _worker_dataset
    _die_with_parent(parent)
    _worker_dataset = dataset
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(1)
    seed = int.from_bytes(os.urandom(4), "little")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """End this worker when `parent` ends, however it ends: a killed parent runs no code that
    could stop its workers, which would otherwise wait for work forever.

    On Linux the kernel sends SIGKILL when the parent exits (`prctl(PR_SET_PDEATHSIG)`; the
    "parent" is the thread that started the pool, the one running `fit`). A thread that
    polls `os.getppid()` backs it up everywhere: an orphan is adopted by another process.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os.kill(os.getpid(), signal.SIGKILL)
    threading.Thread(target=_watch_parent, args=(parent,), name="hocsau-watch-parent",
                     daemon=True).start()


def _watch_parent(parent: int, interval: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(interval)
    os.kill(os.getpid(), signal.SIGKILL)


def _load_in_worker(index):
    return _nested_map(_worker_dataset[index], torch.Tensor, _TensorBytes.from_tensor)


class _TensorBytes:
    """A CPU tensor's bytes as a NumPy array: pickled by value, whereas a tensor would be
    moved to shared memory, one file descriptor each."""

    def __init__(self, data: np.ndarray, dtype: torch.dtype, shape: tuple):
        self.data, self.dtype, self.shape = data, dtype, shape

    @classmethod
    def from_tensor(cls, tensor: torch.Tensor) -> _TensorBytes:
        flat = tensor.detach().cpu().resolve_conj().resolve_neg().contiguous().reshape(-1)
        return cls(flat.view(torch.uint8).numpy(), tensor.dtype, tuple(tensor.shape))

    def to_tensor(self) -> torch.Tensor:
        return torch.from_numpy(self.data).view(self.dtype).reshape(self.shape)


def _nested_map(value, kind, fn):
    """`fn` applied to each `kind` leaf of nested tuples, lists and dicts."""
    if isinstance(value, kind):
        return fn(value)
    if isinstance(value, dict):
        return {k: _nested_map(v, kind, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_nested_map(v, kind, fn) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return value
