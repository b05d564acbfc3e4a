"""`NumpyArrayIterator`: augmented batches of in-memory images (`ImageDataGenerator.flow`)."""

from __future__ import annotations

import warnings

import numpy as np

from hocsau import config
from hocsau.preprocessing.image.iterator import Iterator


class NumpyArrayIterator(Iterator):
    """Yields `x`, `(x, y)` or `(x, y, sample_weight)` batches, each image augmented and
    standardized by `image_data_generator`.

    Args:
        x: Rank-4 images, or a tuple `(images, extra)` where `extra` (an array or a list of
            arrays, one row per image) is passed through unchanged: the batch's `x` is then
            the list `[images, *extra]`.
        y: Targets, one row per image, or None.
        image_data_generator: The `ImageDataGenerator` that transforms each image.
        batch_size: Images per batch.
        shuffle: Shuffle each epoch.
        sample_weight: Per-image weights, or None.
        seed: Integer seed for shuffling and augmentation.
        data_format: "channels_last" or "channels_first"; None uses the global setting.
        save_to_dir: Folder where each augmented image is also saved (for inspection).
        save_prefix: File name prefix of saved images.
        save_format: "png" or "jpeg".
        subset: "training" or "validation", with the generator's `validation_split`: the
            first `int(validation_split * len(x))` images are the validation subset.
        ignore_class_split: Allow subsets whose sets of `y` values differ.
        dtype: Dtype of the image batches; None uses `config.floatx()`.
        **kwargs: `workers`, `use_multiprocessing`, `max_queue_size` for `PyDataset`.
    """

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix="", save_format="png", subset=None, ignore_class_split=False,
                 dtype=None, **kwargs):
        self.dtype = dtype or config.floatx()
        self.data_format = data_format or config.image_data_format()
        x, x_misc = _split_inputs(x)
        _check_lengths(x, y, sample_weight)
        if subset is not None:
            cut = _subset_slice(len(x), image_data_generator, subset)
            if y is not None and not ignore_class_split:
                _check_class_split(y, cut)
            part = slice(cut, None) if subset == "training" else slice(0, cut)
            x, x_misc = x[part], [extra[part] for extra in x_misc]
            y = y[part] if y is not None else None
            sample_weight = sample_weight[part] if sample_weight is not None else None
        self.x = np.asarray(x, dtype=self.dtype)
        self.x_misc = x_misc
        self._check_images()
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super().__init__(len(self.x), batch_size, shuffle, seed, **kwargs)

    def _check_images(self) -> None:
        if self.x.ndim != 4:
            raise ValueError("Input data in `NumpyArrayIterator` should have rank 4 (images, "
                             "rows, columns, channels). Received: x with shape "
                             f"{self.x.shape}")
        axis = 3 if self.data_format == "channels_last" else 1
        if self.x.shape[axis] not in (1, 3, 4):
            warnings.warn(
                f'NumpyArrayIterator is set to use the data format convention '
                f'"{self.data_format}" (channels on axis {axis}), i.e. expected either 1, 3, '
                f"or 4 channels on axis {axis}. However, it was passed an array with shape "
                f"{self.x.shape} ({self.x.shape[axis]} channels).", stacklevel=3)

    def _get_batches_of_transformed_samples(self, index_array):
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            image = self.x[j]
            params = generator.get_random_transform(image.shape)
            image = generator.apply_transform(image.astype(self.dtype), params)
            batch_x[i] = generator.standardize(image)
        if self.save_to_dir:
            self._save_batch(batch_x, index_array, hash_range=10_000)
        inputs = [batch_x] + [extra[index_array] for extra in self.x_misc]
        inputs = inputs if self.x_misc else batch_x
        if self.y is None:
            return inputs
        if self.sample_weight is None:
            return inputs, self.y[index_array]
        return inputs, self.y[index_array], self.sample_weight[index_array]


def _split_inputs(x):
    """(images, list of pass-through arrays) from `x` or `(images, extra)`."""
    if not isinstance(x, (tuple, list)):
        return x, []
    if len(x) != 2:
        raise ValueError("When `x` is a tuple or list it must be `(images, extra)`, where "
                         f"`extra` is an array or a list of arrays. Received: {len(x)} items")
    images, extra = x
    extra = [np.asarray(a) for a in extra] if isinstance(extra, list) else [np.asarray(extra)]
    for array in extra:
        if len(array) != len(images):
            raise ValueError("All of the arrays in `x` should have the same length. Received: "
                             f"len(x[0]) = {len(images)}, len(x[?]) = {len(array)}")
    return images, extra


def _check_lengths(x, y, sample_weight) -> None:
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None and len(value) != len(x):
            raise ValueError(f"`x` (images tensor) and `{name}` should have the same length. "
                             f"Received: x.shape = {np.shape(x)}, "
                             f"{name}.shape = {np.shape(value)}")


def _subset_slice(n: int, image_data_generator, subset) -> int:
    """How many leading rows form the validation subset."""
    if subset not in ("training", "validation"):
        raise ValueError('`subset` must be "training" or "validation". '
                         f"Received: subset={subset!r}")
    split = image_data_generator._validation_split
    if not split:
        raise ValueError("`subset` needs an ImageDataGenerator created with a "
                         f"`validation_split`. Received: subset={subset!r} with "
                         f"validation_split={split!r}")
    return int(n * split)


def _check_class_split(y, cut: int) -> None:
    y = np.asarray(y)
    if not np.array_equal(np.unique(y[:cut]), np.unique(y[cut:])):
        raise ValueError("Training and validation subsets have different number of classes "
                         "after the split. If your numpy arrays are sorted by the label, you "
                         "might want to shuffle them (or pass `ignore_class_split=True`). "
                         f"Received: validation classes {np.unique(y[:cut]).tolist()}, "
                         f"training classes {np.unique(y[cut:]).tolist()}")
