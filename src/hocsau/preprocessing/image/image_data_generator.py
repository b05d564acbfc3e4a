"""`ImageDataGenerator`: Keras's legacy real-time image augmentation and normalization."""

from __future__ import annotations

import math
import warnings

import numpy as np

from hocsau import config
from hocsau.preprocessing.image import _generator_args as args_check
from hocsau.preprocessing.image.affine import (
    apply_affine_transform,
    apply_brightness_shift,
    apply_channel_shift,
)
from hocsau.preprocessing.image.dataframe_iterator import DataFrameIterator
from hocsau.preprocessing.image.directory_iterator import DirectoryIterator
from hocsau.preprocessing.image.numpy_array_iterator import NumpyArrayIterator

_DEPRECATED_DATAFRAME_ARGS = {
    "has_ext": "has_ext is deprecated, filenames in the dataframe have to match the exact "
               "filenames in disk.",
    "sort": "sort is deprecated, batches will be created in the same order than the filenames "
            "provided if `shuffle` is set to `False`.",
    "drop_duplicates": "drop_duplicates is deprecated, you can drop duplicates by using the "
                       "pandas.DataFrame.drop_duplicates method.",
}


class ImageDataGenerator:
    """Random augmentation and normalization of images, batched by `flow` (arrays),
    `flow_from_directory` (class sub-folders) or `flow_from_dataframe` (a file list).

    Each image gets a fresh random transform (`get_random_transform` then `apply_transform`:
    rotation, shifts, shear, zoom, channel shift, flips, brightness), then `standardize`
    (`preprocessing_function`, `rescale`, centring and scaling, ZCA whitening). The
    featurewise statistics and the ZCA matrix come from `fit` on sample images. Randomness
    comes from NumPy's global state, so seeded runs reproduce Keras's.

    Args:
        featurewise_center: Subtract the per-channel mean of the data seen by `fit`.
        samplewise_center: Subtract each image's mean.
        featurewise_std_normalization: Divide by the per-channel std from `fit`.
        samplewise_std_normalization: Divide each image by its std.
        zca_whitening: Apply ZCA whitening (learnt by `fit`).
        zca_epsilon: Added to the singular values for ZCA.
        rotation_range: Rotations drawn from [-r, r] degrees.
        width_shift_range: Horizontal shifts: a float (fraction of the width if below 1,
            else pixels) drawn from [-r, r], an int n (pixels in {-(n-1), ..., n-1}) or a
            list of allowed values (each with a random sign).
        height_shift_range: The same, vertically.
        brightness_range: `(lower, upper)` brightness factors, or None.
        shear_range: Shear angles drawn from [-r, r] degrees.
        zoom_range: A float z (zoom factors in [1-z, 1+z]) or `[lower, upper]`; drawn for
            rows and columns separately.
        channel_shift_range: Channel shifts drawn from [-r, r].
        fill_mode: Filling outside the image: "constant", "nearest", "reflect" or "wrap".
        cval: The fill value for "constant".
        horizontal_flip: Flip half of the images left-right.
        vertical_flip: Flip half of the images upside down.
        rescale: Factor every image is multiplied by (after augmentation), or None / 0.
        preprocessing_function: Called on each image (rank 3) before the rest of
            `standardize`; must return an array of the same shape.
        data_format: "channels_last" or "channels_first"; None uses the global setting.
        validation_split: Fraction of the data set aside for `subset="validation"`.
        interpolation_order: Spline order of the geometric transforms (0-5).
        dtype: Dtype of the generated arrays; None uses `config.floatx()`.
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None,
                 shear_range=0.0, zoom_range=0.0, channel_shift_range=0.0, fill_mode="nearest",
                 cval=0.0, horizontal_flip=False, vertical_flip=False, rescale=None,
                 preprocessing_function=None, data_format=None, validation_split=0.0,
                 interpolation_order=1, dtype=None):
        arguments = dict(locals())
        args_check.check_arguments(arguments)
        self.data_format = data_format or config.image_data_format()
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError('`data_format` should be "channels_last" or "channels_first". '
                             f"Received: data_format={data_format!r}")
        self.channel_axis, self.row_axis, self.col_axis = (
            (3, 1, 2) if self.data_format == "channels_last" else (1, 2, 3))
        self.dtype = _check_dtype(dtype or config.floatx())
        self.zoom_range = args_check.zoom_bounds(zoom_range)
        for name in ("samplewise_std_normalization", "zca_whitening", "zca_epsilon",
                     "rotation_range", "width_shift_range", "height_shift_range",
                     "brightness_range", "shear_range", "channel_shift_range", "fill_mode",
                     "cval", "horizontal_flip", "vertical_flip", "rescale",
                     "preprocessing_function", "interpolation_order"):
            setattr(self, name, arguments[name])
        for name, value in args_check.resolve_normalization(arguments).items():
            setattr(self, name, value)
        self._validation_split = validation_split
        self.mean = None
        self.std = None
        self.zca_whitening_matrix = None

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", ignore_class_split=False,
             subset=None):
        """Augmented batches of arrays: a `NumpyArrayIterator` (see it for the arguments)."""
        return NumpyArrayIterator(
            x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
            seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
            save_prefix=save_prefix, save_format=save_format,
            ignore_class_split=ignore_class_split, subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                            seed=None, save_to_dir=None, save_prefix="", save_format="png",
                            follow_links=False, subset=None, interpolation="nearest",
                            keep_aspect_ratio=False):
        """Augmented batches of the images in class sub-folders: a `DirectoryIterator`."""
        return DirectoryIterator(
            directory, self, target_size=target_size, color_mode=color_mode, classes=classes,
            class_mode=class_mode, batch_size=batch_size, shuffle=shuffle, seed=seed,
            data_format=self.data_format, save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, follow_links=follow_links, subset=subset,
            interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype)

    def flow_from_dataframe(self, dataframe, directory=None, x_col="filename", y_col="class",
                            weight_col=None, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                            seed=None, save_to_dir=None, save_prefix="", save_format="png",
                            subset=None, interpolation="nearest", validate_filenames=True,
                            keep_aspect_ratio=False, **kwargs):
        """Augmented batches of the files listed in a pandas DataFrame: a
        `DataFrameIterator`. `class_mode="other"` is the deprecated name of "raw"."""
        for name in kwargs:
            if name not in _DEPRECATED_DATAFRAME_ARGS:
                raise TypeError("flow_from_dataframe() got an unexpected keyword argument. "
                                f"Received: {name}={kwargs[name]!r}")
            warnings.warn(_DEPRECATED_DATAFRAME_ARGS[name], DeprecationWarning, stacklevel=2)
        if class_mode == "other":
            warnings.warn('`class_mode="other"` is deprecated, please use `class_mode="raw"`.',
                          DeprecationWarning, stacklevel=2)
            class_mode = "raw"
        return DataFrameIterator(
            dataframe, directory, self, x_col=x_col, y_col=y_col, weight_col=weight_col,
            target_size=target_size, color_mode=color_mode, classes=classes,
            class_mode=class_mode, data_format=self.data_format, batch_size=batch_size,
            shuffle=shuffle, seed=seed, save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, subset=subset, interpolation=interpolation,
            keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype,
            validate_filenames=validate_filenames)

    def standardize(self, x):
        """Applies the normalization to an image or a batch, in place for float arrays.

        Order: `preprocessing_function`, `rescale`, sample-wise centring and scaling,
        feature-wise centring and scaling, ZCA (the last three need `fit` first).
        """
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(self.dtype)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        if self.featurewise_center and self._fitted("featurewise_center", self.mean):
            x -= self.mean
        if self.featurewise_std_normalization and self._fitted(
                "featurewise_std_normalization", self.std):
            x /= self.std + 1e-6
        if self.zca_whitening and self._fitted("zca_whitening", self.zca_whitening_matrix):
            flat = x.reshape(-1, math.prod(x.shape[-3:]))
            x = np.reshape(flat @ self.zca_whitening_matrix, x.shape)
        return x

    def get_random_transform(self, img_shape, seed=None) -> dict:
        """Draws the parameters of one random transform of an image of shape `img_shape`
        (`theta`, `tx`, `ty`, `shear`, `zx`, `zy`, `flip_horizontal`, `flip_vertical`,
        `channel_shift_intensity`, `brightness`), in Keras's order of draws."""
        if seed is not None:
            np.random.seed(seed)
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) \
            if self.rotation_range else 0
        tx = args_check.draw_shift(self.height_shift_range, img_shape[self.row_axis - 1])
        ty = args_check.draw_shift(self.width_shift_range, img_shape[self.col_axis - 1])
        shear = np.random.uniform(-self.shear_range, self.shear_range) \
            if self.shear_range else 0
        zx, zy = 1, 1
        if self.zoom_range[0] != 1 or self.zoom_range[1] != 1:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift = None
        if self.channel_shift_range != 0:
            channel_shift = np.random.uniform(-self.channel_shift_range,
                                              self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(self.brightness_range[0], self.brightness_range[1])
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift, "brightness": brightness}

    def apply_transform(self, x, transform_parameters: dict):
        """Applies the transform described by `transform_parameters` (see
        `get_random_transform`; missing keys are neutral) to one rank-3 image."""
        params = transform_parameters
        rows, cols, channels = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        x = apply_affine_transform(
            x, params.get("theta", 0), params.get("tx", 0), params.get("ty", 0),
            params.get("shear", 0), params.get("zx", 1), params.get("zy", 1), row_axis=rows,
            col_axis=cols, channel_axis=channels, fill_mode=self.fill_mode, cval=self.cval,
            order=self.interpolation_order)
        if params.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, params["channel_shift_intensity"], channels)
        if params.get("flip_horizontal", False):
            x = np.flip(x, cols)
        if params.get("flip_vertical", False):
            x = np.flip(x, rows)
        if params.get("brightness") is not None:
            x = apply_brightness_shift(x, params["brightness"], False,
                                       data_format=self.data_format)
        return x

    def random_transform(self, x, seed=None):
        """One rank-3 image, randomly transformed."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def fit(self, x, augment=False, rounds=1, seed=None) -> None:
        """Computes the featurewise mean / std and the ZCA matrix from sample images.

        Args:
            x: Rank-4 sample images (after `rescale`, which `fit` applies first).
            augment: Fit on randomly augmented copies instead.
            rounds: Augmentation passes over `x` when `augment`.
            seed: Seed of NumPy's global random state for the augmentation.
        """
        x = np.array(x, dtype=self.dtype)  # a copy: the statistics are taken in place
        if x.ndim != 4:
            raise ValueError(f"Input to `.fit()` should have rank 4. Received: x with shape "
                             f"{x.shape}")
        if x.shape[self.channel_axis] not in (1, 3, 4):
            warnings.warn(
                f'Expected input to be images (as Numpy array) following the data format '
                f'convention "{self.data_format}" (channels on axis {self.channel_axis}), '
                f"i.e. expected either 1, 3 or 4 channels on axis {self.channel_axis}. However, "
                f"it was passed an array with shape {x.shape} "
                f"({x.shape[self.channel_axis]} channels).", stacklevel=2)
        if seed is not None:
            np.random.seed(seed)
        if self.rescale:
            x *= self.rescale
        if augment:
            x = np.array([self.random_transform(image) for _ in range(rounds) for image in x],
                         dtype=self.dtype).reshape((rounds * len(x),) + x.shape[1:])
        self._fit_statistics(x)

    def _fit_statistics(self, x) -> None:
        axes = (0, self.row_axis, self.col_axis)
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=axes), shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=axes), shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            n = len(x)
            u, s, _ = np.linalg.svd(np.reshape(x, (n, -1)).T, full_matrices=False)
            self.zca_whitening_matrix = (u * (np.sqrt(n) / (s + self.zca_epsilon))).dot(u.T)

    @staticmethod
    def _fitted(setting: str, statistic) -> bool:
        if statistic is None:
            warnings.warn(f"This ImageDataGenerator specifies `{setting}`, but it hasn't been "
                          "fit on any training data. Fit it first by calling "
                          "`.fit(numpy_data)`.", stacklevel=3)
        return statistic is not None


def _check_dtype(dtype):
    try:
        np.dtype(dtype)
    except TypeError as error:
        raise ValueError(f"`dtype` must be a NumPy dtype name. Received: dtype={dtype!r}") \
            from error
    return dtype
