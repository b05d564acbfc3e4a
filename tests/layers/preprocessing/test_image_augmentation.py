"""All random image layers: seeds reproduce augmentations, draws vary between calls, a direct
call augments (the default of `training` in their `call` is True, as in Keras), inputs pass
through with training=False, and they work inside Sequential and functional models."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers

IMAGES = np.random.default_rng(9).uniform(0, 1, (4, 6, 6, 2)).astype("float32")
AUGMENTATIONS = [
    (layers.RandomFlip, {}),
    (layers.RandomRotation, {"factor": 0.3}),
    (layers.RandomZoom, {"height_factor": 0.4}),
    (layers.RandomTranslation, {"height_factor": 0.3, "width_factor": 0.3}),
    (layers.RandomContrast, {"factor": 0.8, "value_range": (0, 1)}),
    (layers.RandomBrightness, {"factor": 0.5, "value_range": (0, 1)}),
    (layers.RandomCrop, {"height": 3, "width": 4}),
]
IDS = [cls.__name__ for cls, _ in AUGMENTATIONS]


def _run(cls, kwargs, seed, calls=3):
    layer = cls(**kwargs, seed=seed)
    return [layer(IMAGES, training=True).numpy() for _ in range(calls)]


@pytest.mark.parametrize("cls, kwargs", AUGMENTATIONS, ids=IDS)
def test_same_seed_same_augmentations_and_calls_differ(cls, kwargs):
    first, again, other = _run(cls, kwargs, 7), _run(cls, kwargs, 7), _run(cls, kwargs, 8)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1]) or not np.array_equal(first[1], first[2])
    assert any(not np.array_equal(a, b) for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize("call_kwargs", [{"training": True}, {}], ids=["training", "direct"])
@pytest.mark.parametrize("cls, kwargs", AUGMENTATIONS, ids=IDS)
def test_seeded_augmentations_equal_keras_on_cpu(cls, kwargs, call_kwargs):
    keras = pytest.importorskip("keras")
    theirs = getattr(keras.layers, cls.__name__)(**kwargs, seed=5)
    ours = cls(**kwargs, seed=5)
    for _ in range(2):  # the seed streams advance alike
        expected = keras.ops.convert_to_numpy(theirs(IMAGES, **call_kwargs))
        np.testing.assert_allclose(ours(IMAGES, **call_kwargs).numpy(), expected, rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize("cls, kwargs", AUGMENTATIONS, ids=IDS)
def test_unseeded_layers_follow_torch_manual_seed(cls, kwargs):
    torch.manual_seed(3)
    first = _run(cls, kwargs, None, calls=2)
    torch.manual_seed(3)
    again = _run(cls, kwargs, None, calls=2)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls, kwargs", AUGMENTATIONS, ids=IDS)
def test_default_call_augments_inference_is_identity_and_shapes_hold(cls, kwargs):
    layer = cls(**kwargs, seed=1)
    expected = layer.compute_output_shape(IMAGES.shape)
    out = layer(IMAGES)  # `call`'s default, training=True, as in Keras
    assert tuple(out.shape) == tuple(expected)
    np.testing.assert_array_equal(out.numpy(), cls(**kwargs, seed=1)(IMAGES, training=True))
    if cls is not layers.RandomCrop:
        np.testing.assert_array_equal(layer(IMAGES, training=False).numpy(), IMAGES)
    assert tuple(layer(IMAGES[0], training=True).shape) == tuple(expected[1:])


@pytest.mark.parametrize("cls, kwargs", AUGMENTATIONS, ids=IDS)
def test_config_round_trip_keeps_augmentation(cls, kwargs):
    layer = cls(**kwargs, seed=11)
    clone = cls.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    np.testing.assert_array_equal(clone(IMAGES, training=True).numpy(),
                                  cls(**kwargs, seed=11)(IMAGES, training=True).numpy())


def test_flip_probability_is_one_half():
    images = np.tile(np.array([0.0, 1.0], "float32").reshape(1, 1, 2, 1), (2000, 1, 1, 1))
    out = layers.RandomFlip("horizontal", seed=0)(images, training=True).numpy()
    assert 0.45 < out[:, 0, 0, 0].mean() < 0.55


def test_brightness_deltas_are_uniform_over_the_range():
    images = np.full((2000, 1, 1, 1), 0.5, "float32")
    layer = layers.RandomBrightness((-0.2, 0.4), value_range=(-5, 5), seed=0)
    delta = (layer(images, training=True).numpy() - 0.5).ravel() / 10.0
    assert -0.2 <= delta.min() < -0.19 and 0.39 < delta.max() <= 0.4
    assert abs(delta.mean() - 0.1) < 0.01


def test_augmentation_model_trains_and_predicts_without_augmenting():
    model = hocsau.Sequential([hocsau.Input((6, 6, 2)), layers.RandomFlip(seed=1),
                               layers.RandomRotation(0.1, seed=2),
                               layers.RandomZoom(0.1, seed=3), layers.Flatten(),
                               layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(IMAGES, np.zeros((4, 1), "float32"), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    expected = model.layers[-1](model.layers[-2](torch.from_numpy(IMAGES))).detach().numpy()
    np.testing.assert_allclose(model.predict(IMAGES, verbose=0), expected, rtol=1e-5)
    augmented = model(IMAGES, training=True).detach().numpy()
    assert not np.allclose(augmented, expected)


def test_functional_model_with_crop_and_contrast():
    inputs = hocsau.Input((6, 6, 2))
    x = layers.RandomCrop(4, 4, seed=0)(inputs)
    outputs = layers.RandomContrast(0.5, value_range=(0, 1), seed=0)(x)
    model = hocsau.Model(inputs, outputs)
    assert model.output_shape == (None, 4, 4, 2)
    assert tuple(model(IMAGES, training=True).shape) == (4, 4, 4, 2)


def test_preprocessing_model_exchanged_with_keras_through_keras_files(tmp_path):
    keras = pytest.importorskip("keras")
    norm = keras.layers.Normalization()
    norm.adapt(IMAGES)
    theirs = keras.Sequential([keras.Input((6, 6, 2)), norm, keras.layers.RandomFlip(seed=1),
                               keras.layers.RandomRotation(0.1, seed=2),
                               keras.layers.Resizing(4, 4), keras.layers.Flatten(),
                               keras.layers.Dense(1)])
    expected = theirs.predict(IMAGES, verbose=0)
    theirs.save(tmp_path / "theirs.keras")
    ours = hocsau.saving.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(ours.predict(IMAGES, verbose=0), expected, rtol=1e-5, atol=1e-6)
    ours.save(tmp_path / "ours.keras")
    back = keras.saving.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(back.predict(IMAGES, verbose=0), expected, rtol=1e-5, atol=1e-6)
