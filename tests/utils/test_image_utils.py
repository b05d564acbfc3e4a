"""Image utilities against keras.utils on the same inputs."""

import io
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from hocsau.utils.image_utils import (
    array_to_img,
    img_to_array,
    load_img,
    save_img,
    smart_resize,
)


@pytest.fixture(scope="module")
def keras_utils():
    import keras

    return keras.utils


def random_image(shape, high=1.0, seed=0):
    return np.random.RandomState(seed).uniform(0, high, shape).astype("float32")


def assert_same_image(ours, theirs):
    assert ours.mode == theirs.mode and ours.size == theirs.size
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


@pytest.mark.parametrize(
    "shape, kwargs",
    [
        ((5, 7, 3), {}),
        ((5, 7, 4), {}),
        ((5, 7, 1), {}),
        ((3, 5, 7), {"data_format": "channels_first"}),
        ((5, 7, 3), {"scale": False}),
        ((5, 7, 1), {"scale": False, "high": 1000.0}),
    ],
)
def test_array_to_img_matches_keras(keras_utils, shape, kwargs):
    kwargs = dict(kwargs)
    x = random_image(shape, kwargs.pop("high", 255.0 if kwargs.get("scale") is False else 1.0))
    ours = array_to_img(x, **kwargs)
    assert_same_image(ours, keras_utils.array_to_img(x, **kwargs))
    assert ours.size == (7, 5)


def test_array_to_img_errors():
    with pytest.raises(ValueError, match=r"Got array with shape: \(4, 4\)"):
        array_to_img(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="Unsupported channel number: 2"):
        array_to_img(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match="Received: data_format=channels_middle"):
        array_to_img(np.zeros((4, 4, 3)), data_format="channels_middle")


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L"])
@pytest.mark.parametrize("kwargs", [{}, {"data_format": "channels_first", "dtype": "uint8"}])
def test_img_to_array_matches_keras(keras_utils, mode, kwargs):
    img = Image.fromarray((random_image((6, 4, 3), 255)).astype("uint8")).convert(mode)
    ours = img_to_array(img, **kwargs)
    theirs = keras_utils.img_to_array(img, **kwargs)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    channels = {"RGB": 3, "RGBA": 4, "L": 1}[mode]
    assert ours.shape == ((6, 4, channels) if not kwargs else (channels, 6, 4))


def test_img_to_array_rank_error():
    with pytest.raises(ValueError, match=r"Unsupported image shape: \(2, 2, 2, 2\)"):
        img_to_array(np.zeros((2, 2, 2, 2)))


@pytest.fixture
def png_path(tmp_path):
    path = tmp_path / "img.png"
    save_img(path, random_image((9, 12, 3), 255, seed=1))
    return path


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"color_mode": "grayscale"},
        {"color_mode": "rgba"},
        {"target_size": (5, 6)},
        {"target_size": (5, 6), "interpolation": "bilinear"},
        {"target_size": (4, 8), "interpolation": "bicubic", "keep_aspect_ratio": True},
        {"target_size": (10, 3), "interpolation": "lanczos", "keep_aspect_ratio": True},
        {"target_size": (9, 12), "interpolation": "unused when the size already matches"},
    ],
)
def test_load_img_matches_keras(keras_utils, png_path, kwargs):
    ours = load_img(png_path, **kwargs)
    assert_same_image(ours, keras_utils.load_img(png_path, **kwargs))
    height, width = kwargs.get("target_size", (9, 12))
    assert ours.size == (width, height)


def test_load_img_sources_and_modes(png_path):
    from_str = load_img(str(png_path))
    from_bytes_io = load_img(io.BytesIO(png_path.read_bytes()))
    np.testing.assert_array_equal(np.asarray(from_str), np.asarray(from_bytes_io))
    wide = Image.fromarray(np.full((3, 3), 40000, dtype=np.uint16))
    path16 = png_path.parent / "deep.png"
    wide.save(path16)
    deep = load_img(path16, color_mode="grayscale")
    assert deep.mode in ("I;16", "I") and int(np.asarray(deep).max()) == 40000


def test_load_img_errors(png_path):
    with pytest.raises(ValueError, match='color_mode must be "grayscale", "rgb", or "rgba"'):
        load_img(png_path, color_mode="cmyk")
    with pytest.raises(ValueError, match="Invalid interpolation method cubic specified"):
        load_img(png_path, target_size=(3, 3), interpolation="cubic")
    with pytest.raises(TypeError, match="path-like or io.BytesIO, not <class 'int'>"):
        load_img(3)


def test_save_img_round_trip(tmp_path):
    x = np.arange(4 * 5 * 3, dtype="float32").reshape(4, 5, 3)
    save_img(tmp_path / "a.png", x, scale=False)
    np.testing.assert_array_equal(img_to_array(load_img(tmp_path / "a.png")), x)
    buffer = io.BytesIO()
    save_img(buffer, x.transpose(2, 0, 1), data_format="channels_first", file_format="png",
             scale=False)
    np.testing.assert_array_equal(img_to_array(load_img(buffer)), x)


def test_save_img_rgba_as_jpeg(tmp_path):
    with pytest.warns(UserWarning, match="JPEG format does not support RGBA"):
        save_img(tmp_path / "a.jpg", random_image((6, 6, 4)), quality=95)
    with Image.open(tmp_path / "a.jpg") as img:
        assert img.format == "JPEG" and img.mode == "RGB" and img.size == (6, 6)


@pytest.mark.parametrize(
    "shape, dtype, kwargs",
    [
        ((17, 23, 3), "float32", {}),
        ((17, 23, 3), "float64", {"size": (5, 5)}),
        ((17, 23, 3), "uint8", {"interpolation": "bicubic"}),
        ((2, 17, 23, 3), "int32", {"interpolation": "nearest"}),
        ((2, 3, 17, 23), "float32", {"data_format": "channels_first", "size": (20, 4)}),
        ((1, 30, 2), "float16", {"size": (1, 9)}),
    ],
)
def test_smart_resize_matches_keras(shape, dtype, kwargs):
    from keras.preprocessing.image import smart_resize as keras_smart_resize

    x = (random_image(shape, 255) if dtype != "float16" else random_image(shape)).astype(dtype)
    kwargs = {"size": (8, 6), **kwargs}
    ours = smart_resize(x, **kwargs)
    theirs = keras_smart_resize(x, **kwargs)
    assert isinstance(ours, np.ndarray) and ours.dtype == theirs.dtype
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-4)


def test_smart_resize_tensor_and_list_inputs():
    x = torch.rand(2, 9, 16, 3)
    out = smart_resize(x, (4, 4))
    assert isinstance(out, torch.Tensor) and tuple(out.shape) == (2, 4, 4, 3)
    torch.testing.assert_close(out, smart_resize(x[:, :, 3:12], (4, 4)))
    from_list = smart_resize(x[0].tolist(), (4, 4))
    assert from_list.dtype == torch.float32 and tuple(from_list.shape) == (4, 4, 3)


def test_smart_resize_errors():
    with pytest.raises(ValueError, match=r"tuple of 2 integers, but got: \(3,\)"):
        smart_resize(np.zeros((4, 4, 3)), (3,))
    with pytest.raises(ValueError, match=r"incorrect rank, of shape \(4, 4\)"):
        smart_resize(np.zeros((4, 4)), (3, 3))
    with pytest.raises(ValueError, match="Received: interpolation=lanczos3"):
        smart_resize(np.zeros((4, 4, 3)), (3, 3), interpolation="lanczos3")


def test_missing_pillow_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="`array_to_img` requires Pillow. Install it with"):
        array_to_img(np.zeros((2, 2, 3)))
