"""Checks of `ImageDataGenerator`'s constructor arguments, and Keras's random shift draw."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from hocsau.preprocessing.image.affine import (
    check_brightness_range,
    check_fill_mode,
    check_interpolation_order,
)


def check_arguments(args: dict) -> None:
    """Raises a ValueError naming the first invalid constructor argument in `args`."""
    for name in ("rotation_range", "shear_range", "channel_shift_range", "zca_epsilon", "cval"):
        check_number(name, args[name])
    for name in ("width_shift_range", "height_shift_range"):
        _check_shift_range(name, args[name])
    if args["rescale"] is not None:
        check_number("rescale", args["rescale"])
    if args["preprocessing_function"] is not None and not callable(
            args["preprocessing_function"]):
        raise ValueError("`preprocessing_function` must be callable or None. Received: "
                         f"preprocessing_function={args['preprocessing_function']!r}")
    if args["brightness_range"] is not None:
        check_brightness_range(args["brightness_range"])
    check_fill_mode(args["fill_mode"])
    check_interpolation_order(args["interpolation_order"])
    split = args["validation_split"]
    check_number("validation_split", split)
    if split and not 0 < split < 1:
        raise ValueError("`validation_split` must be strictly between 0 and 1. "
                         f"Received: validation_split={split!r}")


def check_number(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"`{name}` must be a number. Received: {name}={value!r}")


def zoom_bounds(zoom_range) -> list:
    """`[lower, upper]` zoom factors from a float (1 -/+ it) or a pair."""
    if isinstance(zoom_range, numbers.Real) and not isinstance(zoom_range, bool):
        return [1 - zoom_range, 1 + zoom_range]
    if (isinstance(zoom_range, (tuple, list, np.ndarray)) and len(zoom_range) == 2
            and all(isinstance(v, numbers.Real) for v in zoom_range)):
        return [zoom_range[0], zoom_range[1]]
    raise ValueError("`zoom_range` should be a float or a tuple or list of two floats. "
                     f"Received: zoom_range={zoom_range!r}")


def resolve_normalization(args: dict) -> dict:
    """Keras's implied settings: ZCA and std normalization need centring (with a warning)."""
    flags = {k: args[k] for k in ("featurewise_center", "featurewise_std_normalization",
                                  "samplewise_center")}
    if args["zca_whitening"]:
        if not flags["featurewise_center"]:
            flags["featurewise_center"] = True
            _overrides("`zca_whitening`", "`featurewise_center`")
        if flags["featurewise_std_normalization"]:
            flags["featurewise_std_normalization"] = False
            _overrides("`zca_whitening`", "`featurewise_std_normalization`")
    if flags["featurewise_std_normalization"] and not flags["featurewise_center"]:
        flags["featurewise_center"] = True
        _overrides("`featurewise_std_normalization`", "`featurewise_center`")
    if args["samplewise_std_normalization"] and not flags["samplewise_center"]:
        flags["samplewise_center"] = True
        _overrides("`samplewise_std_normalization`", "`samplewise_center`")
    return flags


def draw_shift(shift_range, size: int):
    """Keras's shift draw: an int or a list picks a value (and a sign), a float is a uniform
    range; ranges below 1 are fractions of `size`."""
    if not _is_set(shift_range):
        return 0
    if np.ndim(shift_range) == 0 and not isinstance(shift_range, (int, np.integer)):
        shift = np.random.uniform(-shift_range, shift_range)
    else:
        shift = np.random.choice(shift_range)
        shift *= np.random.choice([-1, 1])
    if np.max(shift_range) < 1:
        shift *= size
    return shift


def _is_set(shift_range) -> bool:
    return len(shift_range) > 0 if np.ndim(shift_range) else bool(shift_range)


def _check_shift_range(name: str, value) -> None:
    if np.ndim(value) == 0:
        check_number(name, value)
        return
    values = np.asarray(value)
    if values.ndim != 1 or not np.issubdtype(values.dtype, np.number):
        raise ValueError(f"`{name}` must be a float, an int or a 1-D list of numbers. "
                         f"Received: {name}={value!r}")


def _overrides(setting: str, overridden: str) -> None:
    warnings.warn(f"This ImageDataGenerator specifies {setting}, which overrides setting of "
                  f"{overridden}.", stacklevel=4)
