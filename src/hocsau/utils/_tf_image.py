"""Image files decoded and resized as Keras's `image_dataset_from_directory` does with
TensorFlow (`tf.io.decode_image`, `tf.image.resize`, `resize_with_pad`, `smart_resize`'s crop).

Bilinear is torch's `interpolate` (the same half-pixel arithmetic). Each other method is a
pair of (output x input) weight matrices, one per axis, applied tap by tap as they are sparse,
holding TensorFlow's kernel weights: half-pixel centres, no antialiasing, out-of-range taps
dropped and the rest renormalised (bicubic, lanczos, gaussian, mitchellcubic), box overlaps
("area").
Decoding goes through Pillow; colour PNGs turn grayscale with libpng's truncated integer
weights and JPEGs decode straight to their luma channel, as TensorFlow decodes them.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
                  "mitchellcubic")
_MODES = {1: "L", 3: "RGB", 4: "RGBA"}
_GRAY_MODES = ("1", "L", "LA", "I", "I;16")
_F32 = np.float32


def load_image(path, channels: int, size, interpolation: str, crop_to_aspect_ratio: bool,
               pad_to_aspect_ratio: bool) -> np.ndarray:
    """`(height, width, channels)` float32 pixels in [0, 255] (uint8 for "nearest")."""
    pixels = decode(path, channels)
    if crop_to_aspect_ratio:
        pixels = _center_crop(pixels, size)
    if pad_to_aspect_ratio:
        return _resize_with_pad(pixels, size, interpolation)
    return resize(pixels, size, interpolation)


def decode(path, channels: int) -> np.ndarray:
    """The file's uint8 pixels with 1, 3 or 4 channels (first frame of animations)."""
    from PIL import Image

    with Image.open(path) as image:
        if channels == 1 and image.format == "JPEG":
            image.draft("L", image.size)  # libjpeg's luma output, as TensorFlow asks for
        if channels == 1 and image.format == "PNG" and image.mode not in _GRAY_MODES:
            rgb = np.asarray(image.convert("RGB"), dtype=np.int32)
            luma = (9797 * rgb[..., 0] + 19234 * rgb[..., 1] + 3737 * rgb[..., 2]) >> 15
            return luma.astype(np.uint8)[..., None]
        converted = image if image.mode == _MODES[channels] else image.convert(_MODES[channels])
        pixels = np.asarray(converted)
    return pixels.reshape(pixels.shape[0], pixels.shape[1], channels)


def resize(pixels: np.ndarray, size, interpolation: str) -> np.ndarray:
    """`tf.image.resize(pixels, size, method=interpolation)` of one `(h, w, c)` image."""
    (height, width), (out_height, out_width) = pixels.shape[:2], size
    if interpolation == "nearest":
        return pixels[_nearest(height, out_height)][:, _nearest(width, out_width)]
    image = torch.from_numpy(np.ascontiguousarray(pixels, dtype=_F32))
    if interpolation == "bilinear":  # torch's half-pixel bilinear is TensorFlow's
        batch = image.permute(2, 0, 1)[None]
        out = F.interpolate(batch, size=tuple(size), mode="bilinear", align_corners=False)
        return out[0].permute(1, 2, 0).contiguous().numpy()
    out = _apply(image, _weights(height, out_height, interpolation), axis=0)
    return _apply(out, _weights(width, out_width, interpolation), axis=1).numpy()


def _apply(image: torch.Tensor, matrix: np.ndarray, axis: int) -> torch.Tensor:
    """`matrix` (out x in) along `axis`, as a sum over its few non-zero taps per row."""
    nonzero = matrix != 0
    order = np.argsort(~nonzero, axis=1, kind="stable")[:, :max(nonzero.sum(1).max(), 1)]
    weights = torch.from_numpy(np.take_along_axis(matrix, order, axis=1))
    order = torch.from_numpy(order)
    shape = (-1, 1, 1) if axis == 0 else (1, -1, 1)
    out = weights[:, 0].reshape(shape) * image.index_select(axis, order[:, 0])
    for tap in range(1, order.shape[1]):
        out += weights[:, tap].reshape(shape) * image.index_select(axis, order[:, tap])
    return out


def _center_crop(pixels: np.ndarray, size) -> np.ndarray:
    """`smart_resize`'s crop: the largest centred box with the aspect ratio of `size`."""
    height, width = pixels.shape[:2]
    target_height, target_width = size
    crop_height = max(min(height, int(_F32(width * target_height) / _F32(target_width))), 1)
    crop_width = max(min(width, int(_F32(height * target_width) / _F32(target_height))), 1)
    top, left = int(_F32(height - crop_height) / 2), int(_F32(width - crop_width) / 2)
    return pixels[top:top + crop_height, left:left + crop_width]


def _resize_with_pad(pixels: np.ndarray, size, interpolation: str) -> np.ndarray:
    """`tf.image.resize_with_pad`: fit inside `size` keeping the aspect ratio, pad with 0."""
    height, width = (_F32(n) for n in pixels.shape[:2])
    target_height, target_width = (_F32(n) for n in size)
    ratio = max(width / target_width, height / target_height)
    fitted = (height / ratio, width / ratio)
    resized = resize(pixels, [int(np.floor(n)) for n in fitted], interpolation)
    top, left = (max(0, int(np.floor((t - f) / 2))) for t, f in zip(
        (target_height, target_width), fitted, strict=True))
    padded = np.zeros((*size, pixels.shape[2]), dtype=resized.dtype)
    padded[top:top + resized.shape[0], left:left + resized.shape[1]] = resized
    return padded


def _nearest(in_size: int, out_size: int) -> np.ndarray:
    scale = _F32(in_size) / _F32(out_size)
    index = np.floor((np.arange(out_size, dtype=_F32) + _F32(0.5)) * scale).astype(int)
    return np.clip(index, 0, in_size - 1)


def _weights(in_size: int, out_size: int, interpolation: str) -> np.ndarray:
    """The (out_size, in_size) float32 matrix of one axis."""
    if interpolation == "bilinear":
        return _bilinear(in_size, out_size)
    if interpolation == "bicubic":
        return _bicubic(in_size, out_size)
    if interpolation == "area":
        return _area(in_size, out_size)
    return _scale_and_translate(in_size, out_size, *_KERNELS[interpolation])


def _source_positions(in_size: int, out_size: int) -> np.ndarray:
    scale = _F32(in_size) / _F32(out_size)
    return (np.arange(out_size, dtype=_F32) + _F32(0.5)) * scale - _F32(0.5)


def _bilinear(in_size: int, out_size: int) -> np.ndarray:
    position = _source_positions(in_size, out_size)
    floor = np.floor(position)
    lerp = position - floor
    lower = np.maximum(floor.astype(int), 0)
    upper = np.minimum(np.ceil(position).astype(int), in_size - 1)
    matrix = np.zeros((out_size, in_size), _F32)
    rows = np.arange(out_size)
    np.add.at(matrix, (rows, lower), 1 - lerp)
    np.add.at(matrix, (rows, upper), lerp)
    return matrix


def _bicubic(in_size: int, out_size: int) -> np.ndarray:
    """TF's resize_bicubic: Keys' cubic (a = -0.5) at fractions rounded to 1/1024."""
    position = _source_positions(in_size, out_size)
    start = np.floor(position)
    fraction = np.rint((position - start) * 1024) / 1024
    taps = start.astype(int)[:, None] + np.arange(-1, 3)
    weights = _keys_cubic(np.abs(fraction[:, None] - np.arange(-1, 3)))
    return _normalised(taps, weights, in_size)


def _keys_cubic(x: np.ndarray, a: float = -0.5) -> np.ndarray:
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, np.where(x < 2, far, 0.0))


def _area(in_size: int, out_size: int) -> np.ndarray:
    """Each output pixel averages the input span it covers, partial pixels pro rata."""
    scale = in_size / out_size
    starts = np.arange(out_size)[:, None] * scale
    pixels = np.arange(in_size)[None, :]
    overlap = np.minimum(starts + scale, pixels + 1) - np.maximum(starts, pixels)
    return (np.clip(overlap, 0, None) / scale).astype(_F32)


def _scale_and_translate(in_size: int, out_size: int, kernel, radius: float) -> np.ndarray:
    """tf.raw_ops.ScaleAndTranslate without antialiasing: taps within `radius` of the
    sample point, weights renormalised over the taps inside the image."""
    sample = (np.arange(out_size, dtype=_F32) + _F32(0.5)) * (_F32(1) / (_F32(out_size) /
                                                                         _F32(in_size)))
    first = np.clip(np.ceil(sample - radius - 0.5).astype(int), 0, in_size - 1)
    last = np.clip(np.floor(sample + radius - 0.5).astype(int), 0, in_size - 1)
    taps = first[:, None] + np.arange(int(2 * np.ceil(radius)) + 1)
    weights = kernel(np.abs(taps + 0.5 - sample[:, None]).astype(_F32))
    weights = np.where(taps <= last[:, None], weights, 0.0)
    return _normalised(taps, weights, in_size)


def _normalised(taps: np.ndarray, weights: np.ndarray, in_size: int) -> np.ndarray:
    inside = (taps >= 0) & (taps < in_size)
    weights = np.where(inside, weights, 0.0)
    total = weights.sum(axis=1, keepdims=True)
    weights = np.where(np.abs(total) > 0, weights / np.where(total == 0, 1, total), weights)
    matrix = np.zeros((len(taps), in_size), np.float64)
    rows = np.repeat(np.arange(len(taps)), taps.shape[1])
    np.add.at(matrix, (rows, np.clip(taps, 0, in_size - 1).reshape(-1)), weights.reshape(-1))
    return matrix.astype(_F32)


def _lanczos(radius: float):
    def kernel(x):
        safe = np.where(x <= 1e-3, 1.0, x)
        value = radius * np.sin(np.pi * safe) * np.sin(np.pi * safe / radius) / (
            np.pi * np.pi * safe * safe)
        return np.where(x > radius, 0.0, np.where(x <= 1e-3, 1.0, value))

    return kernel


def _gaussian(x):
    sigma = 1.5 / 3
    return np.where(x >= 1.5, 0.0, np.exp(-x * x / (2 * sigma * sigma)))


def _mitchell(x):
    near = ((7 / 6 * x - 2) * x) * x + 8 / 9
    far = ((-7 / 18 * x + 2) * x - 10 / 3) * x + 16 / 9
    return np.where(x >= 2, 0.0, np.where(x >= 1, far, near))


_KERNELS = {"lanczos3": (_lanczos(3.0), 3.0), "lanczos5": (_lanczos(5.0), 5.0),
            "gaussian": (_gaussian, 1.5), "mitchellcubic": (_mitchell, 2.0)}
