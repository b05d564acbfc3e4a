"""ImageDataGenerator's random transforms and normalization against Keras's legacy class."""

import numpy as np
import pytest
from keras.src.legacy.preprocessing.image import ImageDataGenerator as KerasGenerator

from hocsau.preprocessing.image import ImageDataGenerator

RNG = np.random.default_rng(1)
IMAGES = RNG.uniform(0, 255, size=(6, 10, 8, 3)).astype("float32")

AUGMENTATIONS = [
    dict(rotation_range=30),
    dict(width_shift_range=0.2, height_shift_range=0.1),
    dict(width_shift_range=3, height_shift_range=[1, 2, 4]),
    dict(width_shift_range=2.0, height_shift_range=1.5),
    dict(shear_range=20, fill_mode="constant", cval=9.0),
    dict(zoom_range=0.3, fill_mode="reflect"),
    dict(zoom_range=[0.5, 0.8], fill_mode="wrap"),
    dict(horizontal_flip=True, vertical_flip=True),
    dict(channel_shift_range=40.0),
    dict(brightness_range=(0.4, 1.6)),
    dict(rotation_range=20, shear_range=0.2, zoom_range=0.2, width_shift_range=0.1,
         height_shift_range=0.1, horizontal_flip=True, interpolation_order=3),
]


@pytest.mark.parametrize("kwargs", AUGMENTATIONS)
def test_seeded_random_transforms_match_keras(kwargs):
    ours, theirs = ImageDataGenerator(**kwargs), KerasGenerator(**kwargs)
    for seed in (0, 11):
        expected = theirs.get_random_transform(IMAGES[0].shape, seed=seed)
        params = ours.get_random_transform(IMAGES[0].shape, seed=seed)
        assert params.keys() == expected.keys()
        for key, value in expected.items():
            assert params[key] == pytest.approx(value), key
        np.testing.assert_allclose(ours.apply_transform(IMAGES[seed % 6], params),
                                   theirs.apply_transform(IMAGES[seed % 6], expected), atol=1e-4)
    np.random.seed(4)
    expected = theirs.random_transform(IMAGES[1])
    np.random.seed(4)
    np.testing.assert_allclose(ours.random_transform(IMAGES[1]), expected, atol=1e-4)


def test_channels_first_transforms_match_keras():
    kwargs = dict(rotation_range=25, width_shift_range=0.2, zoom_range=0.2,
                  channel_shift_range=10.0, horizontal_flip=True, data_format="channels_first")
    x = np.moveaxis(IMAGES[0], -1, 0).copy()
    ours, theirs = ImageDataGenerator(**kwargs), KerasGenerator(**kwargs)
    assert (ours.channel_axis, ours.row_axis, ours.col_axis) == (1, 2, 3)
    params = theirs.get_random_transform(x.shape, seed=2)
    assert ours.get_random_transform(x.shape, seed=2) == pytest.approx(params)
    np.testing.assert_array_equal(ours.apply_transform(x, params),
                                  theirs.apply_transform(x, params))


def test_standardize_rescale_and_samplewise_match_keras():
    kwargs = dict(rescale=1 / 255, samplewise_center=True, samplewise_std_normalization=True,
                  preprocessing_function=lambda x: x + 1)
    ours, theirs = ImageDataGenerator(**kwargs), KerasGenerator(**kwargs)
    expected = theirs.standardize(IMAGES[0].copy())
    np.testing.assert_allclose(ours.standardize(IMAGES[0].copy()), expected, rtol=1e-6)
    assert abs(float(expected.mean())) < 1e-5
    uint8 = IMAGES[0].astype("uint8")
    scaled = ImageDataGenerator(rescale=0.5).standardize(uint8)
    assert scaled.dtype == np.float32 and scaled.max() == pytest.approx(uint8.max() / 2)


@pytest.mark.parametrize("kwargs", [
    dict(featurewise_center=True, featurewise_std_normalization=True),
    dict(featurewise_center=True, zca_whitening=True, zca_epsilon=1e-3, rescale=1 / 255),
])
def test_fit_then_standardize_matches_keras(kwargs):
    ours, theirs = ImageDataGenerator(**kwargs), KerasGenerator(**kwargs)
    ours.fit(IMAGES)
    theirs.fit(IMAGES)
    np.testing.assert_allclose(ours.mean, theirs.mean, rtol=1e-6)
    assert ours.mean.shape == (1, 1, 3)
    if theirs.std is not None:
        np.testing.assert_allclose(ours.std, theirs.std, rtol=1e-6)
    if theirs.zca_whitening_matrix is not None:
        np.testing.assert_allclose(ours.zca_whitening_matrix, theirs.zca_whitening_matrix,
                                   rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours.standardize(IMAGES[2].copy()),
                               theirs.standardize(IMAGES[2].copy()), rtol=1e-4, atol=1e-4)


def test_fit_with_augmentation_matches_keras():
    kwargs = dict(featurewise_center=True, rotation_range=30, horizontal_flip=True)
    ours, theirs = ImageDataGenerator(**kwargs), KerasGenerator(**kwargs)
    ours.fit(IMAGES, augment=True, rounds=2, seed=3)
    theirs.fit(IMAGES, augment=True, rounds=2, seed=3)
    np.testing.assert_allclose(ours.mean, theirs.mean, rtol=1e-6)


def test_implied_settings_warn_like_keras():
    with pytest.warns(UserWarning, match="`zca_whitening`, which overrides setting of "
                                         "`featurewise_center`"):
        generator = ImageDataGenerator(zca_whitening=True)
    assert generator.featurewise_center is True
    with pytest.warns(UserWarning, match="`samplewise_center`"):
        assert ImageDataGenerator(samplewise_std_normalization=True).samplewise_center
    unfitted = ImageDataGenerator(featurewise_center=True)
    with pytest.warns(UserWarning, match="hasn't been fit on any training data"):
        np.testing.assert_array_equal(unfitted.standardize(IMAGES[0].copy()), IMAGES[0])
    assert ImageDataGenerator(zoom_range=0.25).zoom_range == [0.75, 1.25]


@pytest.mark.parametrize("kwargs, message", [
    (dict(zoom_range=(0.5, 1.0, 2.0)), r"`zoom_range` should be .*Received: zoom_range=\(0.5"),
    (dict(zoom_range="big"), "Received: zoom_range='big'"),
    (dict(validation_split=1.5), "strictly between 0 and 1. Received: validation_split=1.5"),
    (dict(validation_split="0.2"), "`validation_split` must be a number. Received:"),
    (dict(brightness_range=0.5), "Received: brightness_range=0.5"),
    (dict(width_shift_range="wide"), "`width_shift_range` must be a number. Received:"),
    (dict(height_shift_range=[[1, 2]]), "1-D list of numbers. Received: height_shift_range="),
    (dict(rotation_range=None), "`rotation_range` must be a number. Received: rotation_range"),
    (dict(fill_mode="edge"), "Received: fill_mode='edge'"),
    (dict(interpolation_order=6), "Received: order=6"),
    (dict(data_format="channels_middle"), "Received: data_format='channels_middle'"),
    (dict(preprocessing_function=3), "must be callable or None. Received:"),
    (dict(dtype="not-a-dtype"), "Received: dtype='not-a-dtype'"),
])
def test_bad_constructor_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ImageDataGenerator(**kwargs)


def test_fit_rejects_wrong_rank_and_warns_on_channels():
    with pytest.raises(ValueError, match=r"rank 4. Received: x with shape \(10, 8, 3\)"):
        ImageDataGenerator(featurewise_center=True).fit(IMAGES[0])
    with pytest.warns(UserWarning, match=r"\(6, 10, 8, 2\) \(2 channels\)"):
        ImageDataGenerator(featurewise_center=True).fit(IMAGES[..., :2])


def test_brightness_respects_channels_first():
    """Keras shifts brightness assuming the global data format; here the generator's counts."""
    last = ImageDataGenerator(brightness_range=(0.5, 1.5))
    first = ImageDataGenerator(brightness_range=(0.5, 1.5), data_format="channels_first")
    params = {"brightness": 1.3}
    expected = last.apply_transform(IMAGES[0], params)
    got = first.apply_transform(np.moveaxis(IMAGES[0], -1, 0), params)
    assert got.shape == (3, 10, 8)
    np.testing.assert_array_equal(np.moveaxis(got, 0, -1), expected)
