"""`DirectoryIterator`: augmented batches of the images in class sub-folders
(`ImageDataGenerator.flow_from_directory`)."""

from __future__ import annotations

import os
import warnings

import numpy as np

from hocsau.preprocessing.image._file_iterator import FileIterator

CLASS_MODES = ("categorical", "binary", "sparse", "input", None)


class DirectoryIterator(FileIterator):
    """Reads `directory/<class>/**/<image>` files, one class per sub-folder.

    Classes are the sub-folders in alphanumeric order (or `classes`, in its order); each
    class's files are listed recursively in sorted path order, and `subset` takes the first
    (validation) or remaining (training) `validation_split` fraction of every class.

    Args:
        directory: The folder holding one sub-folder per class.
        image_data_generator: The `ImageDataGenerator` transforming each image (or None).
        target_size: `(height, width)` every image is resized to.
        color_mode: "rgb", "rgba" or "grayscale" (1, 3 or 4 channels).
        classes: Sub-folder names to use, in class-index order; None: all, sorted.
        class_mode: Targets: "categorical" (one-hot), "binary" (0. / 1.), "sparse" (class
            index as a float), "input" (the images themselves) or None (images only).
        batch_size: Images per batch.
        shuffle: Shuffle each epoch.
        seed: Integer seed for shuffling and augmentation.
        data_format: "channels_last" or "channels_first"; None uses the global setting.
        save_to_dir: Folder where each augmented image is also saved.
        save_prefix: File name prefix of saved images.
        save_format: "png" or "jpeg".
        follow_links: Follow symbolic links to sub-folders.
        subset: "training" or "validation", with the generator's `validation_split`.
        interpolation: Pillow resampling filter: "nearest", "bilinear", "bicubic", "lanczos",
            "box" or "hamming".
        keep_aspect_ratio: Centre-crop to the target's aspect ratio before resizing.
        dtype: Dtype of the batches; None uses `config.floatx()`.

    Attributes:
        class_indices: `{class name: index}`.
        classes: Class index of every sample (int32 array), in file order.
        filenames: Paths relative to `directory` (`"cats/001.jpg"`).
        samples: Number of images found.
    """

    allowed_class_modes = set(CLASS_MODES)

    def __init__(self, directory, image_data_generator, target_size=(256, 256),
                 color_mode="rgb", classes=None, class_mode="categorical", batch_size=32,
                 shuffle=True, seed=None, data_format=None, save_to_dir=None, save_prefix="",
                 save_format="png", follow_links=False, subset=None, interpolation="nearest",
                 keep_aspect_ratio=False, dtype=None):
        self._set_processing_attrs(image_data_generator, target_size, color_mode, data_format,
                                   save_to_dir, save_prefix, save_format, subset, interpolation,
                                   keep_aspect_ratio, dtype)
        if class_mode not in CLASS_MODES:
            raise ValueError(f"`class_mode` must be one of {CLASS_MODES}. "
                             f"Received: class_mode={class_mode!r}")
        if not os.path.isdir(directory):
            raise ValueError(f"`directory` must be an existing folder. "
                             f"Received: directory={os.fspath(directory)!r}")
        self.directory = directory
        self.class_mode = class_mode
        names = list(classes) if classes else _sub_folders(directory)
        self.num_classes = len(names)
        self.class_indices = {name: i for i, name in enumerate(names)}
        self.filenames, labels = [], []
        for index, name in enumerate(names):
            files = _class_files(os.path.join(directory, name), self.white_list_formats,
                                 follow_links, self.split)
            self.filenames += [os.path.join(name, f) for f in files]
            labels += [index] * len(files)
        self.classes = np.array(labels, dtype="int32")
        self.samples = len(self.filenames)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        self._filepaths = [os.path.join(directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def labels(self) -> np.ndarray:
        """The class index of every sample."""
        return self.classes

    @property
    def sample_weight(self):
        """Always None: directories carry no sample weights."""
        return None


def _sub_folders(directory) -> list:
    return [name for name in sorted(os.listdir(directory))
            if os.path.isdir(os.path.join(directory, name))]


def _class_files(folder: str, formats: tuple, follow_links: bool, split) -> list:
    """Image files under `folder` relative to it, in Keras's order (folders sorted by path,
    files by name), restricted to the `split` fractions."""
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links),
                                 key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(".tiff"):
                warnings.warn('Using ".tiff" files with multiple bands will cause distortion. '
                              "Please verify your output.", stacklevel=2)
            if name.lower().endswith(formats):
                found.append(os.path.relpath(os.path.join(root, name), folder))
    if split:
        found = found[int(split[0] * len(found)):int(split[1] * len(found))]
    return found
