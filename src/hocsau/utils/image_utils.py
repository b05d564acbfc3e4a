"""Image files and arrays: `load_img`, `img_to_array`, `array_to_img`, `save_img`, `smart_resize`.

Files go through Pillow, an optional dependency imported on first use (`pip install pillow`).
Arrays are channels-last unless `data_format` or `config.image_data_format()` says otherwise.
"""

from __future__ import annotations

import io
import os
import pathlib
import warnings

import numpy as np
import torch
import torch.nn.functional as F

from hocsau import config

_PIL_FILTERS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
_RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}
_COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
_GRAYSCALE_MODES = ("L", "I;16", "I")
_CHANNEL_MODES = {4: "RGBA", 3: "RGB"}


def load_img(
    path: str | bytes | os.PathLike | io.BytesIO,
    color_mode: str = "rgb",
    target_size: tuple[int, int] | None = None,
    interpolation: str = "nearest",
    keep_aspect_ratio: bool = False,
):
    """Loads an image file as a PIL image.

    Args:
        path: Path of the file, or a `BytesIO` holding its bytes.
        color_mode: "rgb", "rgba" or "grayscale" (16- and 32-bit grayscale stay as they are).
        target_size: `(height, width)` to resize to, or None to keep the file's size.
        interpolation: Pillow filter for resizing: "nearest", "bilinear", "bicubic",
            "hamming", "box" or "lanczos".
        keep_aspect_ratio: Crop the largest centred box of the target's aspect ratio before
            resizing, instead of stretching.

    Returns:
        A `PIL.Image.Image`.
    """
    image_module = _pil("load_img")
    if color_mode not in _COLOR_MODES:
        raise ValueError(
            f'color_mode must be "grayscale", "rgb", or "rgba". Received: {color_mode!r}'
        )
    if isinstance(path, io.BytesIO):
        img = image_module.open(path)
    elif isinstance(path, (str, bytes, os.PathLike)):
        with open(path, "rb") as f:  # read whole, so that no file handle stays open
            img = image_module.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode != "grayscale" or img.mode not in _GRAYSCALE_MODES:
        if img.mode != _COLOR_MODES[color_mode]:
            img = img.convert(_COLOR_MODES[color_mode])
    if target_size is None or img.size == (target_size[1], target_size[0]):
        return img
    return _resize_pil(img, target_size, interpolation, keep_aspect_ratio)


def img_to_array(img, data_format: str | None = None, dtype=None) -> np.ndarray:
    """A PIL image (or anything array-like) as a rank-3 array.

    Args:
        img: The image.
        data_format: "channels_last" `(height, width, channels)` or "channels_first";
            None uses `config.image_data_format()`.
        dtype: Array dtype; None uses `config.floatx()` (float32).

    Returns:
        The pixel values, unscaled (0-255 for 8-bit images).
    """
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or config.floatx())
    if x.ndim == 2:
        x = x[np.newaxis] if data_format == "channels_first" else x[..., np.newaxis]
    elif x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x


def array_to_img(x, data_format: str | None = None, scale: bool = True, dtype=None):
    """A rank-3 array as a PIL image (RGBA, RGB, or grayscale for 4, 3 or 1 channels).

    Args:
        x: The image, array-like, channels as in `data_format`.
        data_format: "channels_last" or "channels_first"; None uses the global setting.
        scale: Stretch the values linearly so that they span 0-255.
        dtype: Dtype the values are converted to first; None uses `config.floatx()`.

    Returns:
        A `PIL.Image.Image`; single-channel values above 255 give a 32-bit ("I") image.
    """
    data_format = _data_format(data_format)
    image_module = _pil("array_to_img")
    x = np.asarray(x, dtype=dtype or config.floatx())
    if x.ndim != 3:
        raise ValueError(
            f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}"
        )
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x = x / x_max
        x = x * 255
    channels = x.shape[2]
    if channels in _CHANNEL_MODES:
        return image_module.fromarray(x.astype("uint8"), _CHANNEL_MODES[channels])
    if channels == 1:
        if np.max(x) > 255:
            return image_module.fromarray(x[:, :, 0].astype("int32"), "I")
        return image_module.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(
    path,
    x,
    data_format: str | None = None,
    file_format: str | None = None,
    scale: bool = True,
    **kwargs,
) -> None:
    """Saves a rank-3 array as an image file (see `array_to_img` for the conversion).

    Args:
        path: Path or writable file object.
        x: The image array.
        data_format: "channels_last" or "channels_first"; None uses the global setting.
        file_format: "png", "jpeg", ...; None takes it from the path's suffix (required for
            file objects). RGBA images saved as JPEG lose their alpha channel, with a warning.
        scale: Stretch the values to span 0-255.
        **kwargs: Passed on to `PIL.Image.Image.save` (e.g. `quality`).
    """
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn(
            "The JPEG format does not support RGBA images, converting to RGB.", stacklevel=2
        )
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def smart_resize(
    x,
    size: tuple[int, int],
    interpolation: str = "bilinear",
    data_format: str = "channels_last",
):
    """Resizes images to `size` without distorting them: centre-crop, then resize.

    The crop is the largest centred box with the aspect ratio of `size`; for a `(340, 500)`
    image and `size=(200, 200)` that is the middle `(340, 340)`, then scaled to `(200, 200)`.

    Args:
        x: One image `(height, width, channels)` or a batch `(batch, height, width, channels)`
            (channels first with `data_format="channels_first"`), as an array or tensor.
        size: `(height, width)` of the result.
        interpolation: "bilinear", "nearest" or "bicubic".
        data_format: "channels_last" or "channels_first".

    Returns:
        The resized images, a NumPy array for a NumPy input, else a torch tensor; integer
        inputs are rounded back to their dtype.
    """
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    images = _as_tensor(x)
    if images.ndim not in (3, 4):
        raise ValueError(
            "Expected an image array with shape `(height, width, channels)`, or "
            "`(batch_size, height, width, channels)`, but got input with incorrect rank, "
            f"of shape {tuple(images.shape)}."
        )
    channels_last = _data_format(data_format) == "channels_last"
    h_axis = images.ndim - 3 if channels_last else images.ndim - 2
    height, width = images.shape[h_axis], images.shape[h_axis + 1]
    target_height, target_width = size
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top, left = int((height - crop_height) / 2), int((width - crop_width) / 2)
    images = images.narrow(h_axis, top, crop_height).narrow(h_axis + 1, left, crop_width)
    resized = _resize_tensor(images, tuple(size), interpolation, channels_last)
    return resized.cpu().numpy() if isinstance(x, np.ndarray) else resized


def _as_tensor(x) -> torch.Tensor:
    """Tensors as they are, arrays without a copy when possible, other values in floatx."""
    if isinstance(x, torch.Tensor):
        return x
    array = np.asarray(x)
    if not isinstance(x, np.ndarray) and array.dtype == np.float64:
        array = array.astype(config.floatx())
    if not array.flags.writeable:  # torch warns on read-only memory; PIL arrays are
        array = array.copy()
    return torch.from_numpy(array)


def _pil(caller: str):
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(
            f"`{caller}` requires Pillow. Install it with `pip install pillow`."
        ) from error
    return Image


def _data_format(data_format: str | None) -> str:
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', 'channels_last'. "
            f"Received: data_format={data_format}"
        )
    return data_format


def _resize_pil(img, target_size, interpolation: str, keep_aspect_ratio: bool):
    """Pillow resize to `(height, width)`, optionally from a centred crop of that aspect."""
    if interpolation not in _PIL_FILTERS:
        raise ValueError(
            f"Invalid interpolation method {interpolation} specified. Supported methods are "
            f"{', '.join(_PIL_FILTERS)}"
        )
    image_module = _pil("load_img")
    filters = getattr(image_module, "Resampling", image_module)  # Pillow < 9.1 has no enum
    resample = getattr(filters, interpolation.upper())
    target_height, target_width = target_size
    box = None
    if keep_aspect_ratio:
        width, height = img.size
        crop_height = min(height, (width * target_height) // target_width)
        crop_width = min(width, (height * target_width) // target_height)
        top, left = (height - crop_height) // 2, (width - crop_width) // 2
        box = (left, top, left + crop_width, top + crop_height)
    return img.resize((target_width, target_height), resample, box=box)


def _resize_tensor(images: torch.Tensor, size, interpolation: str, channels_last: bool):
    """Keras's torch-backend resize: float math, integer results rounded back."""
    if interpolation not in _RESIZE_MODES:
        raise ValueError(
            f"Invalid value for argument `interpolation`. Expected one of "
            f"{tuple(_RESIZE_MODES)}. Received: interpolation={interpolation}"
        )
    batch = images if images.ndim == 4 else images.unsqueeze(0)
    if channels_last:
        batch = batch.permute(0, 3, 1, 2)
    dtype = batch.dtype
    if dtype not in (torch.float32, torch.float64):
        batch = batch.to(torch.float32)
    smooth = interpolation in ("bilinear", "bicubic")
    out = F.interpolate(
        batch, size=size, mode=_RESIZE_MODES[interpolation], align_corners=False if smooth else None
    )
    if interpolation == "bicubic" and dtype == torch.uint8:
        out = out.clamp(0, 255)
    if channels_last:
        out = out.permute(0, 2, 3, 1)
    if images.ndim == 3:
        out = out.squeeze(0)
    if out.dtype != dtype:
        out = (out if dtype.is_floating_point else torch.round(out)).to(dtype)
    return out
