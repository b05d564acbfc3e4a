"""Keras's legacy transforms of one NumPy image: affine warps through `scipy.ndimage`, channel
and brightness shifts, and their random versions.

The random versions draw from NumPy's global random state, as Keras does, so that
`np.random.seed(...)` reproduces Keras's augmentations exactly.
"""

from __future__ import annotations

import functools

import numpy as np

from hocsau.utils.image_utils import array_to_img, img_to_array

FILL_MODES = ("constant", "nearest", "reflect", "wrap", "mirror", "grid-constant",
              "grid-mirror", "grid-wrap")


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=1,
                           col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0, order=1):
    """Rotates, shifts, shears and zooms one image about its centre (Keras's composition).

    Args:
        x: Rank-3 NumPy image.
        theta: Rotation in degrees.
        tx: Shift along the rows (pixels).
        ty: Shift along the columns (pixels).
        shear: Shear angle in degrees.
        zx: Zoom along the rows (above 1 shows less of the image).
        zy: Zoom along the columns.
        row_axis, col_axis, channel_axis: The axes of `x` (a permutation of 0, 1, 2; the
            channels first or last).
        fill_mode: How points outside the image are filled, a `scipy.ndimage` mode:
            "constant", "nearest", "reflect", "wrap", ...
        cval: The fill value for "constant".
        order: Spline interpolation order, 0 (nearest) to 5.

    Returns:
        The transformed image, same shape; `x` itself when every parameter is neutral.
    """
    _check_axes(x, row_axis, col_axis, channel_axis)
    check_fill_mode(fill_mode)
    check_interpolation_order(order)
    matrices = _component_matrices(theta, tx, ty, shear, zx, zy)
    if not matrices:
        return x
    matrix = functools.reduce(np.dot, matrices)
    matrix = _about_centre(matrix, x.shape[row_axis], x.shape[col_axis])
    if col_axis > row_axis:  # scipy indexes (row, col) where the matrix has (x, y)
        matrix[:, [0, 1]] = matrix[:, [1, 0]]
        matrix[[0, 1]] = matrix[[1, 0]]
    ndimage = _ndimage()
    channels = np.rollaxis(x, channel_axis, 0)
    warped = [ndimage.affine_transform(channel, matrix[:2, :2], matrix[:2, 2], order=order,
                                       mode=fill_mode, cval=cval) for channel in channels]
    return np.rollaxis(np.stack(warped, axis=0), 0, channel_axis + 1)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Adds `intensity` to every channel, clipped to the image's original value range."""
    if np.ndim(x) != 3:
        raise ValueError(f"`x` must be a rank-3 image. Received: x.shape={np.shape(x)}")
    x = np.asarray(x)
    low, high = np.min(x), np.max(x)
    channels = np.rollaxis(x, channel_axis, 0)
    shifted = np.stack([np.clip(channel + intensity, low, high) for channel in channels])
    return np.rollaxis(shifted, 0, channel_axis + 1)


def apply_brightness_shift(x, brightness, scale=True, *, data_format=None):
    """Changes an image's brightness with Pillow's `ImageEnhance.Brightness`.

    Args:
        x: Rank-3 image.
        brightness: Enhancement factor: 0 gives black, 1 the original image.
        scale: Stretch the result to span 0-255; with False, values that were outside 0-255
            are mapped back to the original range.
        data_format: Where `x` has its channels; None uses `config.image_data_format()`.

    Returns:
        The image as a float array (8-bit precision: it passes through a PIL image).
    """
    try:
        from PIL import ImageEnhance
    except ImportError as error:
        raise ImportError("`apply_brightness_shift` requires Pillow. Install it with "
                          "`pip install pillow`.") from error
    low, high = np.min(x), np.max(x)
    out_of_range = bool(low < 0 or high > 255)
    img = array_to_img(x, data_format, scale=out_of_range or scale)
    x = img_to_array(ImageEnhance.Brightness(img).enhance(brightness), data_format)
    if out_of_range and not scale:
        x = x / 255 * (high - low) + low
    return x


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                    cval=0.0, interpolation_order=1):
    """Rotates by an angle drawn uniformly from [-rg, rg] degrees (see `apply_affine_transform`)."""
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shifts by random fractions of the height (within `hrg`) and width (within `wrg`)."""
    tx = np.random.uniform(-hrg, hrg) * x.shape[row_axis]
    ty = np.random.uniform(-wrg, wrg) * x.shape[col_axis]
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shears by an angle drawn uniformly from [-intensity, intensity] degrees."""
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                cval=0.0, interpolation_order=1):
    """Zooms rows and columns by factors drawn independently from `zoom_range` (lower, upper)."""
    if not isinstance(zoom_range, (tuple, list)) or len(zoom_range) != 2:
        raise ValueError("`zoom_range` should be a tuple or list of two floats. "
                         f"Received: zoom_range={zoom_range!r}")
    zx, zy = 1, 1
    if zoom_range[0] != 1 or zoom_range[1] != 1:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_channel_shift(x, intensity_range, channel_axis=0):
    """Channel shift by an intensity drawn from [-intensity_range, intensity_range]."""
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def random_brightness(x, brightness_range, scale=True):
    """Brightness shift by a factor drawn from `brightness_range` (lower, upper)."""
    check_brightness_range(brightness_range)
    factor = np.random.uniform(brightness_range[0], brightness_range[1])
    return apply_brightness_shift(x, factor, scale)


def check_brightness_range(brightness_range) -> None:
    if not isinstance(brightness_range, (tuple, list)) or len(brightness_range) != 2:
        raise ValueError("`brightness_range` should be a tuple or list of two floats. "
                         f"Received: brightness_range={brightness_range!r}")


def check_fill_mode(fill_mode) -> None:
    if fill_mode not in FILL_MODES:
        raise ValueError(f"`fill_mode` must be one of {FILL_MODES}. "
                         f"Received: fill_mode={fill_mode!r}")


def check_interpolation_order(order) -> None:
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or not 0 <= order <= 5:
        raise ValueError("The interpolation order must be an integer from 0 to 5. "
                         f"Received: order={order!r}")


def _check_axes(x, row_axis, col_axis, channel_axis) -> None:
    if {row_axis, col_axis, channel_axis} != {0, 1, 2}:
        raise ValueError("`row_axis`, `col_axis` and `channel_axis` must be 0, 1 and 2 in some "
                         f"order. Received: row_axis={row_axis}, col_axis={col_axis}, "
                         f"channel_axis={channel_axis}")
    if channel_axis not in (0, 2):
        raise ValueError("The channels must be the first or the last axis. "
                         f"Received: channel_axis={channel_axis}")
    if np.ndim(x) != 3:
        raise ValueError("`x` must be a rank-3 image (rows, columns and channels). "
                         f"Received: x.shape={np.shape(x)}")


def _component_matrices(theta, tx, ty, shear, zx, zy) -> list:
    """The homogeneous matrices of the non-neutral steps: rotation, shift, shear, zoom."""
    matrices = []
    if theta != 0:
        angle = np.deg2rad(theta)
        matrices.append(np.array([[np.cos(angle), -np.sin(angle), 0],
                                  [np.sin(angle), np.cos(angle), 0], [0, 0, 1]]))
    if tx != 0 or ty != 0:
        matrices.append(np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]))
    if shear != 0:
        angle = np.deg2rad(shear)
        matrices.append(np.array([[1, -np.sin(angle), 0], [0, np.cos(angle), 0], [0, 0, 1]]))
    if zx != 1 or zy != 1:
        matrices.append(np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]))
    return matrices


def _about_centre(matrix, height, width):
    """`matrix` conjugated so that it acts about the image centre instead of pixel (0, 0)."""
    centre_x, centre_y = float(height) / 2 - 0.5, float(width) / 2 - 0.5
    to_centre = np.array([[1, 0, centre_x], [0, 1, centre_y], [0, 0, 1]])
    from_centre = np.array([[1, 0, -centre_x], [0, 1, -centre_y], [0, 0, 1]])
    return np.dot(np.dot(to_centre, matrix), from_centre)


def _ndimage():
    try:
        from scipy import ndimage
    except ImportError as error:
        raise ImportError("Rotations, shifts, shears and zooms of images need SciPy. Install it "
                          "with `pip install scipy`.") from error
    return ndimage
