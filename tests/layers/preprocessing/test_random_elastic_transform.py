"""RandomElasticTransform against Keras 3 on its torch backend: seeded draws, whole calls (both
data formats, batches and single images; Keras's torch backend takes the displacement noise
from torch's global generator, seeded here as hocsau's layer seeds it), Keras's
transformations, inference, value_range, config, `.keras` files and errors."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(0, 255, (3, 12, 10, 3)).astype("float32")
KWARGS = {"factor": (0.3, 0.9), "scale": 0.8, "seed": 7}


def _noise_seed(layer_seed: int, draws_before: int = 3) -> int:
    """The seed hocsau's layer gives the displacement noise: its stream's next value after
    the transformation's three uniform draws."""
    twin = hocsau.random.SeedGenerator(layer_seed)
    for _ in range(draws_before):
        twin.next()
    return sum(twin.next().tolist()) & 0xFFFFFFFF


def _layout(images, data_format):
    return images if data_format == "channels_last" else np.moveaxis(images, -1, -3)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("kwargs", [
    {}, {"fill_mode": "constant", "fill_value": 9.0, "interpolation": "nearest"},
    {"fill_mode": "wrap", "value_range": (20, 200)}, {"fill_mode": "mirror", "scale": (0.2, 1)},
])
@pytest.mark.parametrize("single", [False, True])
def test_random_elastic_transform_seeded_call_equals_keras(kwargs, data_format, single):
    keras = pytest.importorskip("keras")
    images = _layout(IMAGES[0] if single else IMAGES, data_format)
    # A single image is always distorted (factor (1, 1)), so the comparison is not trivial.
    always = {"factor": (1.0, 1.0)} if single else {}
    kwargs = {**KWARGS, **always, **kwargs, "data_format": data_format}
    ours = layers.RandomElasticTransform(**kwargs)(images, training=True).numpy()
    torch.manual_seed(_noise_seed(7))
    theirs = keras.layers.RandomElasticTransform(**kwargs)(images, training=True)
    assert ours.shape == images.shape
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(theirs), atol=2e-3)
    if kwargs.get("interpolation") != "nearest":  # nearest may round small shifts away
        assert not np.allclose(ours, images)


def test_random_elastic_transform_draws_equal_keras_and_take_keras_transformations():
    keras = pytest.importorskip("keras")
    ours, theirs = layers.RandomElasticTransform(**KWARGS), keras.layers.RandomElasticTransform(
        **KWARGS)
    for _ in range(2):
        mine = ours.get_random_transformation(torch.tensor(IMAGES))
        their = theirs.get_random_transformation(IMAGES)
        np.testing.assert_array_equal(mine["apply_transform"].numpy(),
                                      keras.ops.convert_to_numpy(their["apply_transform"]))
        np.testing.assert_allclose(float(mine["distortion_factor"]),
                                   float(their["distortion_factor"]), rtol=1e-6)
    given = {**their, "seed": 11}
    torch.manual_seed(11)
    expected = keras.ops.convert_to_numpy(theirs.transform_images(IMAGES, their))
    np.testing.assert_allclose(ours.transform_images(IMAGES, given).numpy(), expected, atol=2e-3)
    # Images not selected by `apply_transform` pass through unchanged.
    skipped = ~their["apply_transform"].numpy()
    np.testing.assert_array_equal(expected[skipped], IMAGES[skipped])


def test_random_elastic_transform_identity_cases_and_value_range():
    layer = layers.RandomElasticTransform(seed=1)
    assert not np.array_equal(layer(IMAGES).numpy(), IMAGES)  # a direct call augments (Keras)
    np.testing.assert_array_equal(layer(IMAGES, training=False).numpy(), IMAGES)
    for kwargs in ({"factor": 0.0}, {"scale": 0.0}):
        still = layers.RandomElasticTransform(**kwargs, seed=1)
        assert still.get_random_transformation(torch.tensor(IMAGES)) is None
        np.testing.assert_array_equal(still(IMAGES, training=True).numpy(), IMAGES)
    clipped = layers.RandomElasticTransform(value_range=(50, 100), seed=1)(IMAGES, training=True)
    assert clipped.numpy().min() >= 50 and clipped.numpy().max() <= 100
    first = layers.RandomElasticTransform(seed=3)(IMAGES, training=True).numpy()
    np.testing.assert_array_equal(
        layers.RandomElasticTransform(seed=3)(IMAGES, training=True).numpy(), first)


def test_random_elastic_transform_config_and_keras_files(tmp_path):
    keras = pytest.importorskip("keras")
    kwargs = {"factor": 0.5, "scale": (0.1, 0.4), "fill_mode": "nearest", "fill_value": 1.0,
              "interpolation": "nearest", "value_range": (0, 1), "seed": 3}
    layer = layers.RandomElasticTransform(**kwargs)
    ours, theirs = layer.get_config(), keras.layers.RandomElasticTransform(**kwargs).get_config()
    assert set(ours) == set(theirs)
    for key in set(kwargs) - {"value_range"}:
        assert ours[key] == theirs[key], key
    assert ours["value_range"] == [0, 1]
    assert layers.RandomElasticTransform.from_config(ours).get_config() == ours
    model = hocsau.Sequential([hocsau.Input((12, 10, 3)), layer])
    model.save(tmp_path / "elastic.keras")
    loaded = hocsau.saving.load_model(tmp_path / "elastic.keras").layers[0]
    assert loaded.get_config() == ours
    back = keras.saving.load_model(tmp_path / "elastic.keras").layers[0]
    assert tuple(back.scale) == (0.1, 0.4) and back.fill_mode == "nearest"


@pytest.mark.parametrize("kwargs, message", [
    ({"factor": 1.5}, "Received: factor=1.5"),
    ({"scale": (0.2, 0.4, 0.5)}, "Received: scale=\\(0.2, 0.4, 0.5\\)"),
    ({"fill_mode": "edge"}, "Received: fill_mode='edge'"),
    ({"interpolation": "bicubic"}, "Received: interpolation='bicubic'"),
    ({"value_range": 255}, "Received: value_range=255"),
])
def test_random_elastic_transform_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.RandomElasticTransform(**kwargs)
