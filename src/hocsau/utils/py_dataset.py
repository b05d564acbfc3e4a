"""`PyDataset` (and its legacy name `Sequence`): batches by index, for fit / evaluate / predict."""

from __future__ import annotations


class PyDataset:
    """Base class for datasets that return whole batches: implement `__len__` (batches per
    epoch) and `__getitem__(index)` returning `x`, `(x, y)` or `(x, y, sample_weight)`.

    Args:
        workers: threads loading batches ahead of training (1: load in the training loop).
        use_multiprocessing: accepted for Keras compatibility; loading uses threads.
        max_queue_size: how many batches may be loaded ahead.
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

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__`.")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__`.")

    @property
    def num_batches(self) -> int:
        return len(self)

    def on_epoch_end(self) -> None:
        """Called after each epoch; override to reshuffle."""

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]


Sequence = PyDataset
