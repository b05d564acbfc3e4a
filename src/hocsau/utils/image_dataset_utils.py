"""`image_dataset_from_directory`: a class-per-subfolder folder of images as batches for fit."""

from __future__ import annotations

import math

import numpy as np
import torch

from hocsau.utils import _directory_index
from hocsau.utils._directory_index import encode_labels
from hocsau.utils.py_dataset import PyDataset

_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"grayscale": ("L", 1), "rgb": ("RGB", 3), "rgba": ("RGBA", 4)}


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, verbose=True,
                                 format=None):
    """Batches of `(images, labels)` from `directory/<class>/<image files>`, as Keras gives them.

    Images are float32 in [0, 255], resized to `image_size` (channels_last); labels are int32
    (`label_mode="int"`), one-hot float32 ("categorical"), float32 of shape (batch, 1)
    ("binary") or absent (None). Class names are the sorted sub-folder names (the dataset's
    `class_names`). `shuffle` shuffles the files once with `seed` and the batches' order each
    epoch; `validation_split` with `subset="training"`, `"validation"` or `"both"` keeps the last
    fraction of the (shuffled) files for validation. The result is a `PyDataset`: iterate it or
    pass it to `fit` / `evaluate` / `predict`.
    """
    if color_mode not in _CHANNELS:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    return _directory_index.load_directory(
        DirectoryImageDataset, directory, labels=labels, label_mode=label_mode,
        formats=_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        validation_split=validation_split, subset=subset, follow_links=follow_links,
        verbose=verbose, color_mode=color_mode, batch_size=batch_size,
        image_size=tuple(image_size), interpolation=interpolation,
        crop_to_aspect_ratio=crop_to_aspect_ratio, pad_to_aspect_ratio=pad_to_aspect_ratio)


class DirectoryImageDataset(PyDataset):
    """The batches of `image_dataset_from_directory` (images decoded when a batch is read)."""

    def __init__(self, file_paths, labels, *, class_names, label_mode, color_mode, batch_size,
                 image_size, shuffle, seed, interpolation, crop_to_aspect_ratio,
                 pad_to_aspect_ratio):
        super().__init__()
        from hocsau.layers.preprocessing.resizing import Resizing

        self.file_paths, self.class_names = list(file_paths), class_names
        self._labels, self._label_mode = labels, label_mode
        self._mode, self._channels = _CHANNELS[color_mode]
        self._batch_size, self._shuffle = batch_size, shuffle
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(self.file_paths))
        self._resize = Resizing(*image_size, interpolation=interpolation,
                                crop_to_aspect_ratio=crop_to_aspect_ratio,
                                pad_to_aspect_ratio=pad_to_aspect_ratio)
        if shuffle:
            self.on_epoch_end()

    def __len__(self) -> int:
        size = self._batch_size or 1
        return math.ceil(len(self.file_paths) / size)

    def on_epoch_end(self) -> None:
        if self._shuffle:
            self._order = self._rng.permutation(len(self.file_paths))

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"Batch index {index} out of range for {len(self)} batches.")
        size = self._batch_size or 1
        rows = self._order[index * size:(index + 1) * size]
        images = np.stack([self._load(self.file_paths[i]) for i in rows])
        labels = encode_labels(self._labels[rows], self._label_mode, self.class_names) \
            if self._label_mode else None
        if self._batch_size is None:
            images, labels = images[0], None if labels is None else labels[0]
        return images if labels is None else (images, labels)

    def _load(self, path: str) -> np.ndarray:
        from PIL import Image

        with Image.open(path) as image:
            pixels = np.asarray(image.convert(self._mode), dtype="float32")
        if pixels.ndim == 2:
            pixels = pixels[..., None]
        return self._resize(torch.from_numpy(pixels)).cpu().numpy()
