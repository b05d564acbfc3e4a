"""Keras 3's RandomShear, RandomGaussianBlur, RandomPerspective and RandomErasing against Keras
on its torch backend: seeded calls and fixed transformations in both data formats, inference,
config, `.keras` files, errors, training and Dataset.map."""

import numpy as np
import pytest

import hocsau
from hocsau import layers

IMAGES = np.random.default_rng(0).uniform(0, 255, (3, 5, 6, 3)).astype("float32")
CASES = [
    ("RandomShear", {"x_factor": 0.4, "y_factor": (0.1, 0.3)}),
    ("RandomShear", {"x_factor": 0.3, "fill_mode": "constant", "interpolation": "nearest",
                     "fill_value": 9.0}),
    ("RandomGaussianBlur", {"factor": 0.8, "kernel_size": 5, "sigma": 0.9}),
    ("RandomPerspective", {"factor": 0.9, "scale": 0.6}),
    ("RandomPerspective", {"factor": (1.0, 1.0), "interpolation": "nearest", "fill_value": 3.0}),
    ("RandomErasing", {"factor": 0.9}),
    ("RandomErasing", {"factor": (1.0, 1.0), "fill_value": 7.0, "scale": 0.5}),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


def _layout(images, data_format):
    return images if data_format == "channels_last" else images.transpose(0, 3, 1, 2)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_spatial_augmentation_seeded_calls_equal_keras(name, kwargs, data_format):
    keras = pytest.importorskip("keras")
    kwargs = dict(kwargs, seed=3, data_format=data_format)
    theirs, ours = getattr(keras.layers, name)(**kwargs), getattr(layers, name)(**kwargs)
    images = _layout(IMAGES, data_format)
    for _ in range(2):  # the seed streams advance alike
        expected = keras.ops.convert_to_numpy(theirs(images, training=True))
        np.testing.assert_allclose(ours(images, training=True).numpy(), expected, rtol=1e-5,
                                   atol=1e-3)  # 1e-3 on a 0..255 scale: float32 warps
    assert not np.array_equal(expected, images)


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_spatial_augmentation_keras_transformation_gives_keras_output(name, kwargs):
    keras = pytest.importorskip("keras")
    theirs = getattr(keras.layers, name)(**kwargs)
    transformation = theirs.get_random_transformation(IMAGES, seed=keras.random.SeedGenerator(9))
    expected = keras.ops.convert_to_numpy(theirs.transform_images(IMAGES, transformation))
    ours = getattr(layers, name)(**kwargs)
    np.testing.assert_allclose(ours.transform_images(IMAGES, transformation).numpy(), expected,
                               rtol=1e-5, atol=1e-3)


def test_erasing_per_channel_fill_in_both_layouts():
    kwargs = {"factor": (1.0, 1.0), "fill_value": (1, 2, 3), "scale": (0.9, 0.9), "seed": 1}
    zeros = np.zeros((1, 4, 5, 3), "float32")
    last = layers.RandomErasing(**kwargs)(zeros, training=True).numpy()
    first = layers.RandomErasing(**kwargs, data_format="channels_first")(
        zeros.transpose(0, 3, 1, 2), training=True).numpy()
    np.testing.assert_array_equal(first, last.transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(last.sum(axis=(0, 1, 2)) / last.sum(axis=(0, 1, 2))[0],
                                  [1, 2, 3])


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_spatial_augmentation_inference_seeds_and_shapes(name, kwargs):
    layer = getattr(layers, name)(**kwargs, seed=4)
    np.testing.assert_array_equal(layer(IMAGES, training=False).numpy(), IMAGES)
    assert tuple(layer(IMAGES[0], training=True).shape) == IMAGES.shape[1:]
    first, again = (getattr(layers, name)(**kwargs, seed=4) for _ in range(2))
    for _ in range(2):
        np.testing.assert_array_equal(again(IMAGES, training=True).numpy(),
                                      first(IMAGES, training=True).numpy())


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_spatial_augmentation_config_and_keras_files(name, kwargs, tmp_path):
    keras = pytest.importorskip("keras")
    layer = getattr(layers, name)(**kwargs)
    ours_config, their_config = layer.get_config(), getattr(keras.layers, name)(
        **kwargs).get_config()
    assert set(ours_config) == set(their_config)
    for key in set(ours_config) - {"name"}:
        assert ours_config[key] == their_config[key], key
    assert type(layer).from_config(ours_config).get_config() == ours_config
    hocsau.Sequential([hocsau.Input((5, 6, 3)), layer]).save(tmp_path / "spatial.keras")
    assert type(hocsau.saving.load_model(tmp_path / "spatial.keras").layers[0]) is type(layer)
    if name != "RandomShear":  # Keras rejects the signed ranges its RandomShear saves
        back = keras.saving.load_model(tmp_path / "spatial.keras")
        assert type(back.layers[0]).__name__ == name


@pytest.mark.parametrize("build, message", [
    (lambda: layers.RandomShear(x_factor=1.5), "Received: x_factor=1.5"),
    (lambda: layers.RandomShear(y_factor=(0.1, 0.2, 0.3)), "Received: y_factor=\\(0.1, 0.2"),
    (lambda: layers.RandomShear(y_factor=(-1.5, 0.2)), "Received: y_factor=\\(-1.5, 0.2\\)"),
    (lambda: layers.RandomShear(fill_mode="mirror"), "Received: fill_mode='mirror'"),
    (lambda: layers.RandomGaussianBlur(kernel_size=4), "Received: kernel_size=4"),
    (lambda: layers.RandomGaussianBlur(sigma=2.0), "Received: sigma=2.0"),
    (lambda: layers.RandomPerspective(scale=1.5), "Received: scale=1.5"),
    (lambda: layers.RandomPerspective(interpolation="bicubic"),
     "Received: interpolation='bicubic'"),
    (lambda: layers.RandomErasing(factor=2.0), "Received: factor=2.0"),
    (lambda: layers.RandomErasing(fill_value=(1, 2)), "Received: fill_value=\\(1, 2\\)"),
    (lambda: layers.RandomErasing(value_range=[1]), "Received: value_range=\\[1\\]"),
])
def test_spatial_augmentation_rejects_bad_arguments(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_spatial_augmentations_train_in_sequential_and_map_over_dataset():
    model = hocsau.Sequential([
        hocsau.Input((5, 6, 3)), layers.RandomShear(0.2, 0.2, seed=1),
        layers.RandomGaussianBlur(value_range=(0, 1), seed=2),
        layers.RandomPerspective(scale=0.3, seed=3),
        layers.RandomErasing(value_range=(0, 1), seed=4), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    images = IMAGES / 255.0
    history = model.fit(images, np.zeros((3, 1), "float32"), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(images, verbose=0).shape == (3, 1)
    layer = layers.RandomErasing(factor=(1.0, 1.0), fill_value=0.0, seed=5)
    dataset = hocsau.data.Dataset.from_tensor_slices(IMAGES).batch(2).map(
        lambda x: layer(x, training=True))
    batches = list(dataset.as_numpy_iterator())
    assert [b.shape for b in batches] == [(2, 5, 6, 3), (1, 5, 6, 3)]
    assert all((b == 0).any(axis=(1, 2, 3)).all() for b in batches)
