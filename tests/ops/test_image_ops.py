import numpy as np
import pytest
import torch
from ops_parity import RNG, assert_close, assert_like_keras, keras_result

from hocsau.ops import image

IMAGES = RNG.random((2, 8, 10, 3)).astype("float32")
FIRST = np.moveaxis(IMAGES, -1, 1).copy()
UINT8 = (IMAGES * 255).astype("uint8")
BIG = RNG.random((2, 16, 16, 3)).astype("float32")
# Generic values: round ones put sample points exactly halfway between pixels, where the
# last float bit (which differs with the order of operations) decides nearest / uint8 rounding.
TRANSFORMS = np.array([[1.1037, 0.2113, -0.9871, -0.1049, 0.9023, 0.5171, 0, 0],
                       [0.8093, -0.2957, 2.0131, 0.3061, 1.1977, -1.0123, 0, 0]], "float32")
MODES = ["constant", "nearest", "wrap", "mirror", "reflect"]


def like_keras(result, name, *args, **kwargs):
    assert_like_keras(result, name, *args, module="image", rtol=1e-4, atol=1e-4, **kwargs)


@pytest.mark.parametrize("images,fmt", [(IMAGES, "channels_last"), (FIRST, "channels_first"),
                                        (IMAGES[0], "channels_last")])
def test_color_conversions_like_keras(images, fmt):
    like_keras(image.rgb_to_grayscale(images, data_format=fmt), "rgb_to_grayscale", images,
               data_format=fmt)
    hsv = image.rgb_to_hsv(images, data_format=fmt)
    like_keras(hsv, "rgb_to_hsv", images, data_format=fmt)
    assert_close(image.hsv_to_rgb(hsv, data_format=fmt), images, atol=1e-6)


def test_grayscale_weights_and_errors():
    pixel = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]], "float32")
    assert_close(image.rgb_to_grayscale(pixel)[0, :, 0], [0.2989, 0.587, 0.114])
    like_keras(image.rgb_to_grayscale(UINT8), "rgb_to_grayscale", UINT8)
    with pytest.raises(ValueError, match="float dtype"):
        image.rgb_to_hsv(UINT8)
    with pytest.raises(ValueError, match="rank 3"):
        image.rgb_to_grayscale(IMAGES[0, 0])


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("kwargs", [{}, {"crop_to_aspect_ratio": True},
                                    {"pad_to_aspect_ratio": True, "fill_value": 0.5}])
def test_resize_like_keras(interpolation, antialias, kwargs):
    like_keras(image.resize(IMAGES, (5, 7), interpolation, antialias, **kwargs), "resize",
               IMAGES, (5, 7), interpolation, antialias, **kwargs)
    out = image.resize(UINT8, (12, 7), interpolation, antialias, **kwargs)
    expected = keras_result("resize", UINT8, (12, 7), interpolation, antialias, module="image",
                            **kwargs)
    assert out.dtype == torch.uint8
    assert np.abs(out.numpy().astype(int) - expected.numpy().astype(int)).max() <= 1


def test_resize_lanczos_and_errors():
    out = image.resize(IMAGES, (16, 20), "lanczos3")
    assert out.shape == (2, 16, 20, 3)
    assert_close(image.resize(IMAGES, (8, 10), "lanczos5"), IMAGES, atol=1e-5)
    with pytest.raises(ValueError, match="interpolation"):
        image.resize(IMAGES, (4, 4), "area")
    with pytest.raises(ValueError, match="Only one of"):
        image.resize(IMAGES, (4, 4), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="positive"):
        image.resize(IMAGES, (0, 4))


@pytest.mark.parametrize("method", ["linear", "cubic", "lanczos3", "lanczos5"])
@pytest.mark.parametrize("antialias", [True, False])
def test_scale_and_translate_like_keras(method, antialias):
    scale, shift = np.array([0.6, 1.3], "float32"), np.array([0.5, -1.0], "float32")
    like_keras(image.scale_and_translate(IMAGES, (2, 5, 13, 3), scale, shift, (1, 2), method,
                                         antialias),
               "scale_and_translate", IMAGES, (2, 5, 13, 3), scale, shift, (1, 2), method,
               antialias)


@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("mode", MODES)
def test_map_coordinates_and_affine_like_keras(order, mode):
    coordinates = RNG.uniform(-3, 12, size=(2, 5, 6)).astype("float32")
    plane = IMAGES[0, :, :, 0]
    like_keras(image.map_coordinates(plane, coordinates, order, mode, 0.5), "map_coordinates",
               plane, coordinates, order, mode, 0.5)
    interpolation = ["nearest", "bilinear"][order]
    like_keras(image.affine_transform(IMAGES, TRANSFORMS, interpolation, mode, 0.25),
               "affine_transform", IMAGES, TRANSFORMS, interpolation, mode, 0.25)
    like_keras(image.affine_transform(FIRST[0], TRANSFORMS[0], interpolation, mode,
                                      data_format="channels_first"),
               "affine_transform", FIRST[0], TRANSFORMS[0], interpolation, mode,
               data_format="channels_first")


def test_affine_identity_translation_and_projective():
    identity = np.array([1, 0, 0, 0, 1, 0, 0, 0], "float32")
    assert_close(image.affine_transform(IMAGES, identity), IMAGES)
    shifted = image.affine_transform(IMAGES, [1, 0, 2, 0, 1, 0, 0, 0], "nearest")
    assert_close(shifted[:, :, :8], IMAGES[:, :, 2:])
    assert (shifted[:, :, 8:] == 0).all()
    projective = image.affine_transform(IMAGES[:1], [1, 0, 0, 0, 1, 0, 0.05, 0.0])
    rows, cols = np.meshgrid(np.arange(8.0), np.arange(10.0), indexing="ij")
    k = 1 + 0.05 * cols
    expected = image.map_coordinates(IMAGES[0, :, :, 0], [rows / k, cols / k], 1)
    assert_close(projective[0, :, :, 0], expected, atol=1e-5)
    like_keras(image.affine_transform(UINT8, TRANSFORMS), "affine_transform", UINT8, TRANSFORMS)
    with pytest.raises(ValueError, match="fill_mode"):
        image.affine_transform(IMAGES, identity, fill_mode="edge")
    with pytest.raises(ValueError, match="transform shape"):
        image.affine_transform(IMAGES, identity[:6])


def test_perspective_transform_like_keras():
    start = np.array([[0, 0], [9, 0], [0, 7], [9, 7]], "float32")
    end = np.array([[1, 0.5], [8, 1], [0, 6], [9, 7]], "float32")
    like_keras(image.perspective_transform(IMAGES, start, end), "perspective_transform", IMAGES,
               start, end)
    both = np.stack([start, start]), np.stack([end, start])
    out = image.perspective_transform(IMAGES, *both, "nearest", 0.3)
    like_keras(out, "perspective_transform", IMAGES, *both, "nearest", 0.3)
    assert_close(out[1], IMAGES[1])
    with pytest.raises(ValueError, match="same shape"):
        image.perspective_transform(IMAGES, both[0], end)


def test_elastic_transform_is_seeded_and_alpha_scales_it():
    first = image.elastic_transform(IMAGES, seed=3)
    assert torch.equal(first, image.elastic_transform(IMAGES, seed=3))
    assert not torch.equal(first, image.elastic_transform(IMAGES, seed=4))
    assert_close(image.elastic_transform(IMAGES, alpha=0.0), IMAGES)
    assert image.elastic_transform(FIRST, data_format="channels_first", seed=1).shape == (
        2, 3, 8, 10)


@pytest.mark.parametrize("images,fmt", [(BIG, "channels_last"),
                                        (np.moveaxis(BIG, -1, 1).copy(), "channels_first")])
@pytest.mark.parametrize("mode", MODES)
def test_elastic_transform_int_seed_is_keras_after_manual_seed(images, fmt, mode):
    keras = pytest.importorskip("keras")
    ours = image.elastic_transform(images, 3.0, 1.2, "bilinear", mode, 0.5, seed=5,
                                   data_format=fmt)
    torch.manual_seed(5)  # Keras's torch backend draws its noise from the global generator
    theirs = keras.ops.image.elastic_transform(images, 3.0, 1.2, "bilinear", mode, 0.5,
                                               data_format=fmt)
    assert_close(ours, keras.ops.convert_to_numpy(theirs), atol=1e-5)


def test_blur_sobel_ssim_like_keras():
    for kwargs in [{}, {"kernel_size": (5, 5), "sigma": (2.0, 2.0)},
                   {"kernel_size": (5, 5), "sigma": (0.4, 2.5)}]:
        like_keras(image.gaussian_blur(IMAGES, data_format="channels_last", **kwargs),
                   "gaussian_blur", IMAGES, data_format="channels_last", **kwargs)
    like_keras(image.sobel_edges(IMAGES), "sobel_edges", IMAGES)
    like_keras(image.sobel_edges(FIRST, data_format="channels_first"), "sobel_edges", FIRST,
               data_format="channels_first")
    like_keras(image.ssim(BIG, BIG[::-1].copy()), "ssim", BIG, BIG[::-1].copy())
    assert_close(image.ssim(BIG[0], BIG[0], filter_size=5, max_val=2.0), 1.0, atol=1e-6)


def test_blur_keeps_a_constant_image_inside():
    flat = np.ones((1, 9, 9, 1), "float32")
    out = image.gaussian_blur(flat, (3, 5), (1.0, 2.0)).numpy()
    assert_close(out[0, 1:-1, 2:-2, 0], np.ones((7, 5)), atol=1e-6)
    assert out[0, 0, 0, 0] < 1


@pytest.mark.parametrize("kwargs", [{}, {"strides": 2}, {"padding": "same", "strides": 3},
                                    {"dilation_rate": 2, "strides": 1}])
def test_extract_patches_like_keras(kwargs):
    like_keras(image.extract_patches(IMAGES, 3, **kwargs), "extract_patches", IMAGES, 3,
               **kwargs)


def test_extract_patches_layouts_and_volumes():
    like_keras(image.extract_patches(FIRST, (2, 3), data_format="channels_first"),
               "extract_patches", FIRST, (2, 3), data_format="channels_first")
    patches = image.extract_patches(IMAGES[0], 2)
    assert patches.shape == (4, 5, 12)
    assert_close(patches[0, 0], IMAGES[0, :2, :2].reshape(-1))
    volumes = RNG.random((2, 4, 6, 6, 2)).astype("float32")
    like_keras(image.extract_patches_3d(volumes, 2), "extract_patches_3d", volumes, 2)
    like_keras(image.extract_patches(volumes, (2, 3, 3), strides=1), "extract_patches",
               volumes, (2, 3, 3), strides=1)
    with pytest.raises(ValueError, match="size"):
        image.extract_patches_3d(volumes, (2, 2))


def test_pad_and_crop_images():
    like_keras(image.pad_images(IMAGES, 1, 2, target_height=12, target_width=13), "pad_images",
               IMAGES, 1, 2, target_height=12, target_width=13)
    padded = image.pad_images(FIRST[0], top_padding=1, bottom_padding=0, left_padding=2,
                              right_padding=3, data_format="channels_first")
    assert padded.shape == (3, 9, 15)
    cropped = image.crop_images(IMAGES, bottom_cropping=1, right_cropping=2, target_height=5,
                                target_width=6)
    assert_close(cropped, IMAGES[:, 2:7, 2:8])
    like_keras(image.crop_images(IMAGES, 1, 2, target_height=5, target_width=6), "crop_images",
               IMAGES, 1, 2, target_height=5, target_width=6)
    with pytest.raises(ValueError, match="exactly two of top_padding"):
        image.pad_images(IMAGES, 1, 1, 1, 1, target_height=3, target_width=3)
    with pytest.raises(ValueError, match="top_cropping must be >= 0"):
        image.crop_images(IMAGES, target_height=9, bottom_cropping=0, left_cropping=0,
                          right_cropping=0)
