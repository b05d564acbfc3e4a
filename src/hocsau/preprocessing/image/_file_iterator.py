"""`FileIterator`: what the directory and DataFrame iterators share: loading image files into
augmented batches, and the labels of each `class_mode`."""

from __future__ import annotations

import numpy as np

from hocsau import config
from hocsau.preprocessing.image.iterator import Iterator
from hocsau.utils.image_utils import _PIL_FILTERS, img_to_array, load_img

_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


class FileIterator(Iterator):
    """Loads `filepaths` (set by the subclass, with `classes`, `class_mode`, `labels` and
    `sample_weight`) at `target_size` and transforms each image with the generator."""

    def _set_processing_attrs(self, image_data_generator, target_size, color_mode, data_format,
                              save_to_dir, save_prefix, save_format, subset, interpolation,
                              keep_aspect_ratio, dtype) -> None:
        self.image_data_generator = image_data_generator
        self.target_size = _check_target_size(target_size)
        if color_mode not in _CHANNELS:
            raise ValueError('`color_mode` must be "rgb", "rgba" or "grayscale". '
                             f"Received: color_mode={color_mode!r}")
        if interpolation not in _PIL_FILTERS:
            raise ValueError(f"`interpolation` must be one of {_PIL_FILTERS}. "
                             f"Received: interpolation={interpolation!r}")
        self.color_mode = color_mode
        self.data_format = data_format or config.image_data_format()
        channels = (_CHANNELS[color_mode],)
        self.image_shape = (self.target_size + channels if self.data_format == "channels_last"
                            else channels + self.target_size)
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.interpolation = interpolation
        self.keep_aspect_ratio = keep_aspect_ratio
        self.dtype = dtype or config.floatx()
        self.split = _split_fractions(image_data_generator, subset)
        self.subset = subset

    @property
    def filepaths(self) -> list:
        """Paths of the image files, in sample order."""
        return self._filepaths

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        for i, j in enumerate(index_array):
            batch_x[i] = self._load(self._filepaths[j])
        if self.save_to_dir:
            self._save_batch(batch_x, index_array, hash_range=10_000_000)
        batch_y = self._batch_labels(batch_x, index_array)
        if batch_y is None:
            return batch_x
        if self.sample_weight is None:
            return batch_x, batch_y
        return batch_x, batch_y, self.sample_weight[index_array]

    def _load(self, path):
        img = load_img(path, color_mode=self.color_mode, target_size=self.target_size,
                       interpolation=self.interpolation,
                       keep_aspect_ratio=self.keep_aspect_ratio)
        x = img_to_array(img, data_format=self.data_format)
        img.close()
        generator = self.image_data_generator
        if generator:
            x = generator.apply_transform(x, generator.get_random_transform(x.shape))
            x = generator.standardize(x)
        return x

    def _batch_labels(self, batch_x, index_array):
        """The targets of `class_mode` for the samples at `index_array` (None: no targets)."""
        mode = self.class_mode
        if mode == "input":
            return batch_x.copy()
        if mode in ("binary", "sparse"):
            return np.array([self.classes[j] for j in index_array], dtype=self.dtype)
        if mode == "categorical":
            batch_y = np.zeros((len(batch_x), len(self.class_indices)), dtype=self.dtype)
            for i, j in enumerate(index_array):
                batch_y[i, self.classes[j]] = 1.0
            return batch_y
        if mode == "multi_output":
            return [output[index_array] for output in self.labels]
        if mode == "raw":
            return self.labels[index_array]
        return None


def _check_target_size(target_size) -> tuple:
    size = tuple(target_size) if isinstance(target_size, (tuple, list)) else ()
    if len(size) != 2 or not all(isinstance(s, (int, np.integer)) and s > 0 for s in size):
        raise ValueError("`target_size` must be a tuple of two positive integers (height, "
                         f"width). Received: target_size={target_size!r}")
    return tuple(int(s) for s in size)


def _split_fractions(image_data_generator, subset):
    """The (start, stop) fractions of each class's files that form `subset`, or None."""
    if subset is None:
        return None
    if subset not in ("training", "validation"):
        raise ValueError('`subset` must be "training" or "validation". '
                         f"Received: subset={subset!r}")
    split = getattr(image_data_generator, "_validation_split", 0)
    if not split:
        raise ValueError("`subset` needs an ImageDataGenerator created with a "
                         f"`validation_split`. Received: subset={subset!r} with "
                         f"validation_split={split!r}")
    return (0, split) if subset == "validation" else (split, 1)
