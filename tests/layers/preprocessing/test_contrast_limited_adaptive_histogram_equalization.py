"""ContrastLimitedAdaptiveHistogramEqualization against Keras 3 on its torch backend (both data
formats, single images and batches, integer inputs), a hand-computed single-tile case, config,
`.keras` files and argument errors."""

import numpy as np
import pytest

import hocsau
from hocsau import layers

CLAHE = "ContrastLimitedAdaptiveHistogramEqualization"
RNG = np.random.default_rng(0)
# Keras's torch backend counts histograms in int64, so its clip limit is truncated to an
# integer (TensorFlow and JAX keep it fractional, as hocsau does): these cases have integral
# limits (8x8 tiles with clip 4, 4x4 tiles with clip 16, or no clipping).
CASES = [
    ((2, 32, 40, 3), {"tile_grid_size": (4, 5)}),
    ((2, 30, 37, 3), {"tile_grid_size": (4, 5)}),
    ((12, 12, 1), {"tile_grid_size": (3, 3), "clip_limit": 16.0}),
    ((2, 9, 10, 2), {"tile_grid_size": (3, 2), "clip_limit": 0}),
    ((1, 20, 19, 3), {"tile_grid_size": (5, 5), "clip_limit": 16.0, "value_range": (0, 1)}),
]


def _images(shape, kwargs, dtype="float32"):
    top = kwargs.get("value_range", (0, 255))[1]
    return RNG.uniform(0, top, shape).astype(dtype)


def _first(images, data_format):
    """`images` (channels_last) in `data_format`."""
    if data_format == "channels_last":
        return images
    return np.moveaxis(images, -1, -3)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("shape, kwargs", CASES)
def test_clahe_equals_keras(shape, kwargs, data_format):
    keras = pytest.importorskip("keras")
    images = _first(_images(shape, kwargs), data_format)
    theirs = getattr(keras.layers, CLAHE)(**kwargs, data_format=data_format)(images)
    ours = getattr(layers, CLAHE)(**kwargs, data_format=data_format)(images)
    assert tuple(ours.shape) == images.shape
    np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs), atol=1e-4)


def test_clahe_integer_images_keep_dtype_like_keras():
    keras = pytest.importorskip("keras")
    images = _images((2, 16, 16, 3), {}).astype("int32")
    theirs = getattr(keras.layers, CLAHE)(tile_grid_size=(2, 2))(images)
    ours = getattr(layers, CLAHE)(tile_grid_size=(2, 2))(images)
    assert ours.dtype == hocsau.ops.convert_to_tensor(images).dtype
    np.testing.assert_array_equal(ours.numpy(), keras.ops.convert_to_numpy(theirs))


def test_clahe_single_tile_is_clipped_histogram_equalization_by_hand():
    image = np.array([[0, 0, 0, 10], [10, 10, 50, 50], [50, 50, 50, 200]], "float32")[..., None]
    out = getattr(layers, CLAHE)(clip_limit=32.0, tile_grid_size=(1, 1))(image).numpy()[..., 0]
    # One 3x4 tile: limit 32 * 12 / 256 = 1.5; the counts 0: 3, 10: 3, 50: 5, 200: 1 clip to
    # 1.5, 1.5, 1.5, 1 and the excess 6.5 spreads over all 256 bins.
    counts = np.zeros(256)
    counts[[0, 10, 50, 200]] = [1.5, 1.5, 1.5, 1.0]
    cdf = np.cumsum(counts + 6.5 / 256)
    table = (cdf - cdf[0]) * 255 / (12 - cdf[0])
    np.testing.assert_allclose(out, table[image[..., 0].astype(int)], rtol=1e-5)


def test_clahe_applies_at_inference_and_in_models():
    images = _images((2, 16, 16, 3), {})
    layer = getattr(layers, CLAHE)()
    model = hocsau.Sequential([hocsau.Input((16, 16, 3)), layer])
    np.testing.assert_allclose(model.predict(images, verbose=0), layer(images).numpy())
    assert not np.allclose(layer(images).numpy(), images)


def test_clahe_config_and_keras_files(tmp_path):
    keras = pytest.importorskip("keras")
    kwargs = {"value_range": (0, 1), "clip_limit": 2.0, "tile_grid_size": (2, 4)}
    layer = getattr(layers, CLAHE)(**kwargs)
    ours, theirs = layer.get_config(), getattr(keras.layers, CLAHE)(**kwargs).get_config()
    assert set(ours) == set(theirs)
    assert [ours[key] for key in kwargs] == [[0, 1], 2.0, (2, 4)]
    assert getattr(layers, CLAHE).from_config(ours).get_config() == ours
    images = _images((1, 8, 8, 3), kwargs)
    model = hocsau.Sequential([hocsau.Input((8, 8, 3)), layer])
    model.save(tmp_path / "clahe.keras")
    loaded = hocsau.saving.load_model(tmp_path / "clahe.keras")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0))
    back = keras.saving.load_model(tmp_path / "clahe.keras")
    assert type(back.layers[0]).__name__ == CLAHE
    assert back.layers[0].tile_grid_size in ([2, 4], (2, 4))


@pytest.mark.parametrize("kwargs, message", [
    ({"tile_grid_size": (0, 2)}, "Received: tile_grid_size=\\(0, 2\\)"),
    ({"clip_limit": "high"}, "Received: clip_limit='high'"),
    ({"value_range": (0,)}, "Received: value_range=\\(0,\\)"),
])
def test_clahe_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        getattr(layers, CLAHE)(**kwargs)
