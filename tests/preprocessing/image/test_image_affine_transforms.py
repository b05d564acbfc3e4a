"""The legacy single-image transforms against Keras's (`keras.src.legacy.preprocessing.image`)."""

import numpy as np
import pytest
from keras.src.legacy.preprocessing import image as keras_image

from hocsau.preprocessing import image

RNG = np.random.default_rng(0)
CHANNELS_FIRST = RNG.uniform(0, 255, size=(3, 9, 7)).astype("float32")
CHANNELS_LAST = np.moveaxis(CHANNELS_FIRST, 0, -1).copy()


@pytest.mark.parametrize("fill_mode", ["nearest", "constant", "reflect", "wrap"])
@pytest.mark.parametrize("params", [
    {"theta": 30}, {"tx": 2.5, "ty": -1.5}, {"shear": 20}, {"zx": 0.7, "zy": 1.3},
    {"theta": -15, "tx": 1, "ty": 2, "shear": 10, "zx": 1.2, "zy": 0.9},
])
def test_affine_transform_matches_keras(params, fill_mode):
    for x, axes in ((CHANNELS_FIRST, (1, 2, 0)), (CHANNELS_LAST, (0, 1, 2))):
        kwargs = dict(params, row_axis=axes[0], col_axis=axes[1], channel_axis=axes[2],
                      fill_mode=fill_mode, cval=7.0)
        ours = image.apply_affine_transform(x, **kwargs)
        theirs = keras_image.apply_affine_transform(x, **kwargs)
        assert ours.shape == x.shape and ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("order", [0, 1, 3])
def test_interpolation_orders_and_identity(order):
    kwargs = dict(theta=40, row_axis=0, col_axis=1, channel_axis=2, order=order)
    np.testing.assert_array_equal(image.apply_affine_transform(CHANNELS_LAST, **kwargs),
                                  keras_image.apply_affine_transform(CHANNELS_LAST, **kwargs))
    assert image.apply_affine_transform(CHANNELS_LAST, row_axis=0, col_axis=1,
                                        channel_axis=2) is CHANNELS_LAST


def test_channel_and_brightness_shifts_match_keras():
    for axis, x in ((0, CHANNELS_FIRST), (2, CHANNELS_LAST)):
        np.testing.assert_array_equal(image.apply_channel_shift(x, 40.0, axis),
                                      keras_image.apply_channel_shift(x, 40.0, axis))
    for scale in (True, False):
        for x in (CHANNELS_LAST, CHANNELS_LAST * 2 - 100):  # inside and outside 0-255
            ours = image.apply_brightness_shift(x, 1.4, scale)
            np.testing.assert_allclose(ours, keras_image.apply_brightness_shift(x, 1.4, scale),
                                       rtol=1e-6, atol=1e-4)
            assert ours.shape == x.shape


@pytest.mark.parametrize("name, args", [
    ("random_rotation", (35,)), ("random_shift", (0.2, 0.3)), ("random_shear", (25,)),
    ("random_zoom", ((0.6, 1.4),)), ("random_channel_shift", (30,)),
])
def test_random_transforms_draw_like_keras(name, args):
    np.random.seed(5)
    theirs = getattr(keras_image, name)(CHANNELS_FIRST, *args)
    np.random.seed(5)
    ours = getattr(image, name)(CHANNELS_FIRST, *args)
    np.testing.assert_array_equal(ours, theirs)
    np.random.seed(3)
    theirs = keras_image.random_brightness(CHANNELS_LAST, (0.5, 1.5))
    np.random.seed(3)
    np.testing.assert_allclose(image.random_brightness(CHANNELS_LAST, (0.5, 1.5)), theirs,
                               atol=1e-4)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match=r"must be 0, 1 and 2 .* Received: row_axis=0, col_axis=0"):
        image.apply_affine_transform(CHANNELS_FIRST, theta=3, row_axis=0, col_axis=0)
    with pytest.raises(ValueError, match=r"first or the last axis. Received: channel_axis=1"):
        image.apply_affine_transform(CHANNELS_FIRST, row_axis=0, col_axis=2, channel_axis=1)
    with pytest.raises(ValueError, match=r"rank-3 image .*Received: x.shape=\(9, 7\)"):
        image.apply_affine_transform(CHANNELS_FIRST[0], theta=3)
    with pytest.raises(ValueError, match=r"`fill_mode` must be .*Received: fill_mode='edge'"):
        image.apply_affine_transform(CHANNELS_FIRST, theta=3, fill_mode="edge")
    with pytest.raises(ValueError, match=r"from 0 to 5. Received: order=7"):
        image.apply_affine_transform(CHANNELS_FIRST, theta=3, order=7)
    with pytest.raises(ValueError, match=r"`zoom_range` should be .*Received: zoom_range=0.5"):
        image.random_zoom(CHANNELS_FIRST, 0.5)
    with pytest.raises(ValueError, match=r"Received: brightness_range=\(0.5,\)"):
        image.random_brightness(CHANNELS_LAST, (0.5,))


def test_missing_scipy_names_the_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_scipy(name, *args, **kwargs):
        if name.startswith("scipy"):
            raise ImportError("No module named 'scipy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    with pytest.raises(ImportError, match="pip install scipy"):
        image.apply_affine_transform(CHANNELS_FIRST, theta=10)
