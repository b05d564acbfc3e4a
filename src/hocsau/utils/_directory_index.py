"""Files of a class-per-subfolder directory, in Keras's order, the validation split, and the
`Dataset` the directory loaders build over them."""

from __future__ import annotations

import os

import numpy as np


def index_directory(directory, labels, formats: tuple, class_names=None, shuffle=True,
                    seed=None, follow_links=False, skip_hidden=False):
    """(file paths, integer labels or None, class names), as Keras's loaders find them.

    With `labels="inferred"` each sub-folder is a class (alphanumeric order unless
    `class_names` gives it; folders starting with "." are no class with `skip_hidden`); files
    are listed folder by folder in sorted path order, then shuffled with `seed` (paths and
    labels alike) when `shuffle`.
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"The directory {directory!r} does not exist.")
    if labels == "inferred":
        found = sorted(d for d in os.listdir(directory)
                       if os.path.isdir(os.path.join(directory, d))
                       and not (skip_hidden and d.startswith(".")))
        if class_names is not None:
            if sorted(class_names) != sorted(found) and set(class_names) - set(found):
                raise ValueError("The `class_names` passed did not match the names of the "
                                 f"subdirectories of the target directory. Expected: {found} "
                                 f"(or a subset), but received: class_names={class_names}")
            found = list(class_names)
        class_names = found
        folders = [os.path.join(directory, c) for c in class_names]
    else:
        class_names, folders = None, [directory]
    paths, classes = [], []
    for index, folder in enumerate(folders):
        files = _files_under(folder, formats, follow_links)
        paths += files
        classes += [index] * len(files)
    if labels not in ("inferred", None):
        classes = list(labels)
        if len(classes) != len(paths):
            raise ValueError("Expected the lengths of `labels` to match the number of files in "
                             f"the target directory. len(labels) is {len(classes)} while we "
                             f"found {len(paths)} files in directory {directory}.")
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        order = np.random.RandomState(seed).permutation(len(paths))
        paths = [paths[i] for i in order]
        classes = [classes[i] for i in order] if classes else classes
    return paths, (np.asarray(classes) if labels is not None else None), class_names


def _files_under(folder: str, formats: tuple, follow_links: bool) -> list:
    """Matching files, folders in the sorted order of their paths ("a/b-c" before "a/b/d")."""
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links),
                                 key=lambda entry: entry[0]):
        found += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith(formats)]
    return found


def check_split(validation_split, subset, shuffle, seed) -> None:
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError("`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in (None, "training", "validation", "both"):
        raise ValueError('`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide "
                         "a `seed` argument, to make sure that there is no overlap between the "
                         "training and validation subset.")


def split(paths: list, labels, validation_split, subset: str):
    """Keras's split: the last `int(split * n)` files are the validation subset."""
    count = int(validation_split * len(paths))
    if subset == "training":
        part = slice(0, len(paths) - count)
    else:
        part = slice(len(paths) - count, len(paths))
    print(f"Using {part.stop - part.start} files for {subset}.")
    return paths[part], (labels[part] if labels is not None else None)


def encode_labels(labels: np.ndarray, label_mode: str, class_names) -> np.ndarray:
    """Keras's label encodings: int32, float32 (batch, 1) for "binary", one-hot float32 (all
    zeros for a label outside the classes, as `tf.one_hot`)."""
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    return (np.asarray(labels)[:, None] == np.arange(len(class_names))).astype("float32")


def load_directory(make_dataset, directory, *, labels, label_mode, formats, class_names,
                   shuffle, seed, validation_split, subset, follow_links, verbose, **options):
    """The shared body of the `*_dataset_from_directory` loaders: check the arguments, index
    the files (printing Keras's "Found N files ..." line), split, and build the dataset(s) with
    `make_dataset(paths, labels, class_names=..., label_mode=..., shuffle=..., seed=...,
    formats=..., **options)`; the validation dataset of `subset="both"` is not shuffled."""
    _check_labels(labels, label_mode, class_names)
    if labels is None or label_mode is None:
        labels = label_mode = None
    check_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = int(np.random.randint(1e6))
    paths, indices, names = index_directory(directory, labels, formats, class_names, shuffle,
                                            seed, follow_links, skip_hidden=True)
    if labels not in ("inferred", None):
        names = [str(label) for label in sorted(set(np.asarray(labels).tolist()))]
    if label_mode == "binary" and len(names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={names}")
    if verbose:
        classes = f" belonging to {len(names)} classes" if names else ""
        print(f"Found {len(paths)} files{classes}.")
    options.update(class_names=names, label_mode=label_mode, seed=seed, formats=formats)
    if subset != "both":
        return _part(make_dataset, paths, indices, validation_split, subset, shuffle, options)
    return [_part(make_dataset, paths, indices, validation_split, part, shuffle and keep, options)
            for part, keep in (("training", True), ("validation", False))]


def _part(make_dataset, paths, indices, validation_split, subset, shuffle, options):
    if subset is not None:
        paths, indices = split(paths, indices, validation_split, subset)
    if not paths:
        raise ValueError(f"No files for the {subset or 'whole'} dataset: none in the directory "
                         f"matches the allowed formats {options.get('formats')}.")
    return make_dataset(paths, indices, shuffle=shuffle, **options)


def files_dataset(paths, labels, read, *, class_names, label_mode, batch_size, shuffle, seed,
                  padded=False, **_):
    """Keras's pipeline over the files: (path, label) rows, shuffled in a buffer of 8 batches
    (reshuffled each epoch), `read(path)` in the map's worker threads as elements are drawn,
    batched (unless `batch_size` is None; zero-padded to the longest element with `padded`)
    and prefetched; with `class_names` and `file_paths` attributes."""
    from hocsau.data import AUTOTUNE, Dataset

    names = np.asarray(paths, dtype=str)
    if label_mode:
        encoded = encode_labels(np.asarray(labels), label_mode, class_names)
        ds = Dataset.from_tensor_slices((names, encoded))
    else:
        ds = Dataset.from_tensor_slices(names)
    if shuffle:
        ds = ds.shuffle(8 * batch_size if batch_size else 1024, seed=seed)
    if label_mode:
        ds = ds.map(lambda path, label: (read(os.fsdecode(path.numpy())), label),
                    num_parallel_calls=AUTOTUNE)
    else:
        ds = ds.map(lambda path: read(os.fsdecode(path.numpy())), num_parallel_calls=AUTOTUNE)
    if batch_size is not None:
        ds = ds.padded_batch(batch_size) if padded else ds.batch(batch_size)
    ds = ds.prefetch(AUTOTUNE)
    ds.class_names, ds.file_paths = class_names, list(paths)
    return ds


def _check_labels(labels, label_mode, class_names) -> None:
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", '
                         f"or None. Received: label_mode={label_mode}")
    if labels is None or isinstance(labels, str) and labels == "inferred":
        return
    if not isinstance(labels, (list, tuple)):
        raise ValueError("`labels` argument should be a list/tuple of integer labels, of the "
                         "same size as the number of files in the target directory, "
                         f'"inferred" or None. Received: labels={labels}')
    if class_names:
        raise ValueError('You can only pass `class_names` if `labels="inferred"`. Received: '
                         f"labels={labels}, and class_names={class_names}")
