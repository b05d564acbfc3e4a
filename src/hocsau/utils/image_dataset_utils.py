"""`image_dataset_from_directory`: a class-per-subfolder folder of images as a `Dataset`."""

from __future__ import annotations

import functools

import numpy as np

from hocsau.utils import _directory_index, _tf_image
from hocsau.utils.argument_validation import check_dataset_format, standardize_data_format

_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, verbose=True,
                                 format=None):
    """A `hocsau.data.Dataset` of `(images, labels)` batches from `directory/<class>/<images>`,
    as Keras's (TensorFlow) loader gives them.

    Images are float32 in [0, 255] (uint8 with `interpolation="nearest"`, as `tf.image.resize`
    gives), decoded and resized to `image_size` as TensorFlow does, in the map's worker
    threads as batches are drawn. Labels are int32 (`label_mode="int"`), one-hot float32
    ("categorical"), float32 of shape (batch, 1) ("binary") or absent (None). `labels` may
    also be a list with one integer per file (in the order of the sorted paths) or None.
    The dataset's `class_names` are the sorted sub-folder names and its `file_paths` the files
    in the order drawn when not shuffling. `shuffle` shuffles the files once with `seed` and
    then the elements in a buffer of 8 batches, differently each epoch; `validation_split`
    with `subset="training"`, `"validation"` or `"both"` keeps the last fraction of the
    (shuffled) files for validation. Chain `.map`, `.cache`, `.prefetch`, ... or pass it to
    `fit` / `evaluate` / `predict`.
    """
    check_dataset_format(format)
    if color_mode not in _CHANNELS:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    read = functools.partial(
        _read, channels=_CHANNELS[color_mode], size=_image_size(image_size),
        interpolation=_interpolation(interpolation), crop=crop_to_aspect_ratio,
        pad=_pad(pad_to_aspect_ratio, crop_to_aspect_ratio),
        channels_first=standardize_data_format(data_format) == "channels_first")
    return _directory_index.load_directory(
        _directory_index.files_dataset, directory, labels=labels, label_mode=label_mode,
        formats=_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        validation_split=validation_split, subset=subset, follow_links=follow_links,
        verbose=verbose, batch_size=batch_size, read=read)


def _read(path, *, channels, size, interpolation, crop, pad, channels_first) -> np.ndarray:
    image = _tf_image.load_image(path, channels, size, interpolation, crop, pad)
    return np.ascontiguousarray(image.transpose(2, 0, 1)) if channels_first else image


def _image_size(image_size) -> tuple:
    if isinstance(image_size, int):
        return (image_size, image_size)
    if not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError("Invalid `image_size` value. Expected a tuple of 2 integers. "
                         f"Received: image_size={image_size}")
    return tuple(image_size)


def _interpolation(interpolation: str) -> str:
    if str(interpolation).lower() not in _tf_image.INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {_tf_image.INTERPOLATIONS}"
                         f". Received: interpolation={interpolation}")
    return interpolation.lower()


def _pad(pad_to_aspect_ratio: bool, crop_to_aspect_ratio: bool) -> bool:
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set "
                         "to `True`. Received: pad_to_aspect_ratio=True, "
                         "crop_to_aspect_ratio=True")
    return bool(pad_to_aspect_ratio)
