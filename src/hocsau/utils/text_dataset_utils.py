"""`text_dataset_from_directory`: a class-per-subfolder folder of .txt files as a `Dataset`."""

from __future__ import annotations

import functools

from hocsau.utils import _directory_index
from hocsau.utils.argument_validation import check_dataset_format


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True, format="tf"):
    """A `hocsau.data.Dataset` of `(texts, labels)` batches from `directory/<class>/<name>.txt`,
    as Keras's (TensorFlow) loader gives them.

    Texts are `StringTensor`s (tf's string batches: `texts.numpy()[i]` is the file's bytes,
    the first `max_length` of them as `tf.strings.substr` cuts them), read in the map's
    worker threads as batches are drawn; labels as in `image_dataset_from_directory` ("int",
    "categorical", "binary" or None). Classes are the sorted sub-folder names
    (`class_names`); `file_paths`, shuffling and `validation_split` / `subset` follow Keras.
    Chain `.map`, `.cache`, `.prefetch`, ..., pass it to `fit`, or iterate it (e.g. to `adapt`
    a `TextVectorization`).
    """
    check_dataset_format(format)
    return _directory_index.load_directory(
        _directory_index.files_dataset, directory, labels=labels, label_mode=label_mode,
        formats=(".txt",), class_names=class_names, shuffle=shuffle, seed=seed,
        validation_split=validation_split, subset=subset, follow_links=follow_links,
        verbose=verbose, batch_size=batch_size,
        read=functools.partial(_read, max_length=max_length))


def _read(path, max_length=None) -> bytes:
    with open(path, "rb") as f:
        data = f.read()
    return data if max_length is None else data[:max_length]
