"""`DataFrameIterator`: augmented batches of the image files named in a pandas DataFrame
(`ImageDataGenerator.flow_from_dataframe`)."""

from __future__ import annotations

import os
import warnings

import numpy as np

from hocsau.preprocessing.image._file_iterator import FileIterator

CLASS_MODES = ("binary", "categorical", "input", "multi_output", "raw", "sparse", None)
_UNLABELLED = ("input", "multi_output", "raw", None)


class DataFrameIterator(FileIterator):
    """Reads the files of `dataframe[x_col]` (relative to `directory`), with targets from
    `y_col` and optional weights from `weight_col`; rows keep the DataFrame's order.

    Args:
        dataframe: A pandas DataFrame.
        directory: Folder the file names are relative to (None: they are full paths).
        image_data_generator: The `ImageDataGenerator` transforming each image (or None).
        x_col: Column of file names.
        y_col: Target column(s): class names (strings, or lists of them for multi-label
            "categorical"), or any values for "raw" (a list of columns: several outputs
            with "multi_output").
        weight_col: Column of sample weights, or None.
        target_size: `(height, width)` every image is resized to.
        color_mode: "rgb", "rgba" or "grayscale".
        classes: Class names to keep, in index order (rows of other classes are dropped);
            None: every class found, sorted.
        class_mode: "categorical", "binary", "sparse", "input", "multi_output", "raw" or None.
        batch_size, shuffle, seed, data_format, save_to_dir, save_prefix, save_format,
        subset, interpolation, keep_aspect_ratio, dtype: as for `DirectoryIterator` (`subset`
            splits the rows of the whole DataFrame: validation first).
        validate_filenames: Drop (with a warning) rows whose file is missing or is not an
            image; False trusts the names and starts faster.
    """

    allowed_class_modes = set(CLASS_MODES)

    def __init__(self, dataframe, directory=None, image_data_generator=None, x_col="filename",
                 y_col="class", weight_col=None, target_size=(256, 256), color_mode="rgb",
                 classes=None, class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                 data_format="channels_last", save_to_dir=None, save_prefix="",
                 save_format="png", subset=None, interpolation="nearest",
                 keep_aspect_ratio=False, dtype="float32", validate_filenames=True):
        self._set_processing_attrs(image_data_generator, target_size, color_mode, data_format,
                                   save_to_dir, save_prefix, save_format, subset, interpolation,
                                   keep_aspect_ratio, dtype)
        if not hasattr(dataframe, "iloc"):
            raise TypeError("`dataframe` must be a pandas DataFrame. "
                            f"Received: dataframe of type {type(dataframe).__name__}")
        df = dataframe.copy()
        self.directory = directory or ""
        self.class_mode = class_mode
        _check_params(df, class_mode, x_col, y_col, weight_col, classes)
        if validate_filenames:
            df = self._valid_rows(df, x_col)
        labelled = class_mode not in _UNLABELLED
        if labelled:
            df, classes = _filter_classes(df, y_col, classes)
            self.class_indices = {name: i for i, name in enumerate(classes)}
        if self.split:
            df = df.iloc[int(self.split[0] * len(df)):int(self.split[1] * len(df)), :]
        self._read_targets(df, x_col, y_col, weight_col)
        self.samples = len(self.filenames)
        found = "validated" if validate_filenames else "non-validated"
        belonging = f" belonging to {len(classes)} classes" if labelled else ""
        print(f"Found {self.samples} {found} image filenames{belonging}.")
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _read_targets(self, df, x_col, y_col, weight_col) -> None:
        """File names, class indices or raw targets, and weights of the kept rows."""
        if self.class_mode not in _UNLABELLED:
            self.classes = [_class_index(self.class_indices, label) for label in df[y_col]]
        self.filenames = df[x_col].tolist()
        self._sample_weight = df[weight_col].values if weight_col else None
        if self.class_mode == "multi_output":
            self._targets = [np.array(df[column].tolist()) for column in y_col]
        elif self.class_mode == "raw":
            self._targets = df[y_col].values

    @property
    def labels(self):
        """The targets: class indices, or the raw / multi-output target arrays."""
        return self._targets if self.class_mode in ("multi_output", "raw") else self.classes

    @property
    def sample_weight(self):
        """The `weight_col` values, or None."""
        return self._sample_weight

    def _valid_rows(self, df, x_col):
        """The rows whose file exists and has an image extension."""
        def valid(name):
            path = os.path.join(self.directory, name)
            return path.lower().endswith(self.white_list_formats) and os.path.isfile(path)

        mask = df[x_col].map(valid).astype(bool)
        invalid = int((~mask).sum())
        if invalid:
            warnings.warn(f'Found {invalid} invalid image filename(s) in x_col="{x_col}". '
                          "These filename(s) will be ignored.", stacklevel=3)
        return df[mask]


def _check_params(df, class_mode, x_col, y_col, weight_col, classes) -> None:
    if class_mode not in CLASS_MODES:
        raise ValueError(f"`class_mode` must be one of {CLASS_MODES}. "
                         f"Received: class_mode={class_mode!r}")
    if class_mode == "multi_output" and not isinstance(y_col, list):
        raise TypeError('If class_mode="multi_output", `y_col` must be a list. '
                        f"Received: y_col of type {type(y_col).__name__}")
    _check_types(df, x_col, str, f"All values in column x_col={x_col!r} must be strings.")
    if class_mode in ("binary", "sparse"):
        _check_types(df, y_col, str, f'If class_mode="{class_mode}", y_col="{y_col}" column '
                                     "values must be strings.")
    if class_mode == "binary":
        count = len(set(classes)) if classes else df[y_col].nunique()
        if count != 2:
            raise ValueError(f'If class_mode="binary" there must be 2 classes. Received: '
                             f"{count} classes")
    if class_mode == "categorical":
        _check_types(df, y_col, (str, list, tuple), f'If class_mode="categorical", '
                     f'y_col="{y_col}" column values must be type string, list or tuple.')
    if classes and class_mode in _UNLABELLED:
        warnings.warn(f'`classes` will be ignored given the class_mode="{class_mode}"',
                      stacklevel=4)
    if weight_col and not issubclass(df[weight_col].dtype.type, np.number):
        raise TypeError(f"Column weight_col={weight_col!r} must be numeric. Received: "
                        f"dtype {df[weight_col].dtype}")


def _check_types(df, column, types, message: str) -> None:
    for value in df[column]:
        if not isinstance(value, types):
            raise TypeError(f"{message} Received: {value!r} of type {type(value).__name__}")


def _filter_classes(df, y_col, classes):
    """(rows whose labels are among `classes`, the class names in index order)."""
    if not classes:
        found = set()
        for value in df[y_col]:
            found.update(value if isinstance(value, (list, tuple)) else [value])
        return df.dropna(subset=[y_col]), sorted(found)
    classes = list(dict.fromkeys(classes))
    df = df.copy()
    df[y_col] = df[y_col].apply(lambda labels: _keep_known(labels, classes, y_col))
    return df.dropna(subset=[y_col]), classes


def _keep_known(labels, classes, y_col):
    if isinstance(labels, (list, tuple)):
        return [label for label in labels if label in classes] or None
    if isinstance(labels, str):
        return labels if labels in classes else None
    raise TypeError(f"Expected a string, list or tuple in column y_col={y_col!r}. Received: "
                    f"{labels!r} of type {type(labels).__name__}")


def _class_index(class_indices: dict, label):
    if isinstance(label, (list, tuple)):
        return [class_indices[name] for name in label]
    return class_indices[label]
