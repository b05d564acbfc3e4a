"""`Iterator`: the base of the legacy image iterators, a `PyDataset` of augmented batches."""

from __future__ import annotations

import abc
import os
import threading

import numpy as np

from hocsau.utils.image_utils import array_to_img
from hocsau.utils.py_dataset import PyDataset


class Iterator(PyDataset, abc.ABC):
    """Batches of `n` samples, in order or shuffled, built by `_get_batches_of_transformed_samples`.

    It is a `PyDataset` (so `model.fit(iterator)` reads `len()` batches by index and calls
    `on_epoch_end`, which reshuffles) and an endless Python iterator (`next(iterator)` or
    `iterator.next()` cycles through the epochs, as Keras's generators did).

    Like Keras, a `seed` reseeds NumPy's global random state before each batch
    (`seed + batches seen so far`), so the shuffling and the augmentations of a seeded run
    repeat Keras's.

    Args:
        n: Number of samples.
        batch_size: Samples per batch (the last batch may be smaller).
        shuffle: Shuffle the sample order at the start of each epoch.
        seed: Integer seed, or None.
        **kwargs: `workers`, `use_multiprocessing`, `max_queue_size` for `PyDataset`.
    """

    white_list_formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")

    def __init__(self, n: int, batch_size: int, shuffle: bool, seed: int | None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"`batch_size` must be a positive integer. "
                             f"Received: batch_size={batch_size!r}")
        self.n = n
        self.batch_size = int(batch_size)
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def __getitem__(self, idx: int):
        if not -len(self) <= idx < len(self):
            raise ValueError(f"Asked to retrieve element {idx}, but the Sequence has length "
                             f"{len(self)}. Received: idx={idx}")
        idx %= len(self)
        with self.lock:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            self.total_batches_seen += 1
            if self.index_array is None:
                self._set_index_array()
            index_array = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._get_batches_of_transformed_samples(index_array)

    def on_epoch_end(self) -> None:
        """Draws the next epoch's sample order (a new permutation when shuffling)."""
        self._set_index_array()

    def reset(self) -> None:
        """Restarts the endless iteration at the first batch of an epoch."""
        self.batch_index = 0

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def next(self):
        """The next batch (the name Keras 2 tutorials call)."""
        return self.__next__()

    def _set_index_array(self) -> None:
        self.index_array = np.random.permutation(self.n) if self.shuffle else np.arange(self.n)

    def _flow_index(self):
        """Endless index batches; epochs wrap around, each starting from a new order."""
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            start = (self.batch_index * self.batch_size) % self.n if self.n else 0
            self.batch_index = self.batch_index + 1 if self.n > start + self.batch_size else 0
            self.total_batches_seen += 1
            yield self.index_array[start:start + self.batch_size]

    def _save_batch(self, batch_x, index_array, hash_range: int) -> None:
        """Writes the batch's images to `save_to_dir` as `{prefix}_{index}_{random}.{format}`."""
        for image, index in zip(batch_x, index_array, strict=True):
            name = (f"{self.save_prefix}_{index}_{np.random.randint(hash_range)}."
                    f"{self.save_format}")
            array_to_img(image, self.data_format, scale=True).save(
                os.path.join(self.save_to_dir, name))

    @abc.abstractmethod
    def _get_batches_of_transformed_samples(self, index_array):
        """The batch of the samples at `index_array`: loaded, augmented, standardized."""
