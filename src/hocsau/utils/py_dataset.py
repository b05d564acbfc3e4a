"""`PyDataset` (and its legacy name `Sequence`): batches by index, for fit / evaluate / predict."""

from __future__ import annotations


class PyDataset:
    """Base class for datasets that return whole batches: implement `__len__` (batches per
    epoch) and `__getitem__(index)` returning `x`, `(x, y)` or `(x, y, sample_weight)`.

    `fit` / `evaluate` / `predict` read the batches in order (shuffled by `fit`'s `shuffle`)
    and call `on_epoch_begin` / `on_epoch_end` around each epoch, in the main process.

    Args:
        workers: how many workers load batches ahead of the model (1: load in the training
            loop, unless `use_multiprocessing`).
        use_multiprocessing: load with `workers` processes instead of threads, which Python
            code holding the GIL (augmentation, image decoding) needs to run in parallel.
            Each epoch starts new processes (forked on Linux, so they see the dataset as
            `on_epoch_end` left it; elsewhere spawned, which needs a picklable dataset).
            Each process reseeds Python's, NumPy's and torch's global random state, so random
            augmentations differ between processes.
        max_queue_size: how many batches may be requested ahead of the one the model uses.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__`.")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__`.")

    @property
    def num_batches(self) -> int:
        return len(self)

    def on_epoch_begin(self) -> None:
        """Called before each epoch's first batch is requested."""

    def on_epoch_end(self) -> None:
        """Called after each epoch; override to reshuffle."""

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]


Sequence = PyDataset
