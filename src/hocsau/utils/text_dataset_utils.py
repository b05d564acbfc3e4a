"""`text_dataset_from_directory`: a class-per-subfolder folder of .txt files as batches."""

from __future__ import annotations

import math

import numpy as np

from hocsau.utils import _directory_index
from hocsau.utils._directory_index import encode_labels
from hocsau.utils.py_dataset import PyDataset


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """Batches of `(texts, labels)` from `directory/<class>/<name>.txt`, as Keras gives them.

    Texts are numpy arrays of Python strings (cut to `max_length` characters); labels as in
    `image_dataset_from_directory` ("int", "categorical", "binary" or None). Classes are the
    sorted sub-folder names (`class_names`); shuffling and `validation_split` / `subset`
    follow Keras. The result is a `PyDataset` for `fit`, or to iterate (e.g. to `adapt` a
    `TextVectorization`).
    """
    return _directory_index.load_directory(
        DirectoryTextDataset, directory, labels=labels, label_mode=label_mode,
        formats=(".txt",), class_names=class_names, shuffle=shuffle, seed=seed,
        validation_split=validation_split, subset=subset, follow_links=follow_links,
        verbose=verbose, batch_size=batch_size, max_length=max_length)


class DirectoryTextDataset(PyDataset):
    """The batches of `text_dataset_from_directory` (files read when a batch is read)."""

    def __init__(self, file_paths, labels, *, class_names, label_mode, batch_size, max_length,
                 shuffle, seed):
        super().__init__()
        self.file_paths, self.class_names = list(file_paths), class_names
        self._labels, self._label_mode = labels, label_mode
        self._batch_size, self._max_length, self._shuffle = batch_size, max_length, shuffle
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(self.file_paths))
        if shuffle:
            self.on_epoch_end()

    def __len__(self) -> int:
        return math.ceil(len(self.file_paths) / (self._batch_size or 1))

    def on_epoch_end(self) -> None:
        if self._shuffle:
            self._order = self._rng.permutation(len(self.file_paths))

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"Batch index {index} out of range for {len(self)} batches.")
        size = self._batch_size or 1
        rows = self._order[index * size:(index + 1) * size]
        texts = np.array([self._read(self.file_paths[i]) for i in rows], dtype=object)
        labels = encode_labels(self._labels[rows], self._label_mode, self.class_names) \
            if self._label_mode else None
        if self._batch_size is None:
            texts, labels = texts[0], None if labels is None else labels[0]
        return texts if labels is None else (texts, labels)

    def _read(self, path: str) -> str:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        return text[:self._max_length] if self._max_length is not None else text
