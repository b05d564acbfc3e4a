"""RandAugment, AugMix and Pipeline against Keras 3 on its torch backend: seeded draws and
outputs (both data formats), Keras's transformations fed to ours, inference, config,
`.keras` files both ways, training, Dataset.map and errors."""

import copy
import random

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers

IMAGES = np.random.default_rng(2).uniform(0, 255, (3, 8, 9, 3)).astype("float32")
NAMES = ("random_shear", "random_translation", "random_rotation", "random_brightness",
         "random_color_degeneration", "random_contrast", "random_sharpness",
         "random_posterization", "solarization", "auto_contrast", "equalization")
# Keras's torch backend: Tensor.T on 0-d tensors (Equalization) warns.
pytestmark = pytest.mark.filterwarnings("ignore:(?s).*Tensor.T is deprecated:UserWarning")


def _layout(images, data_format):
    return images if data_format == "channels_last" else images.transpose(0, 3, 1, 2)


def _numpy(value):
    return np.asarray(value.cpu() if isinstance(value, torch.Tensor) else value, "float64")


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_rand_augment_seeded_draws_equal_keras(data_format):
    keras = pytest.importorskip("keras")
    images = _layout(IMAGES, data_format)
    theirs = keras.layers.RandAugment(num_ops=3, seed=4, data_format=data_format)
    ours = layers.RandAugment(num_ops=3, seed=4, data_format=data_format)
    for _ in range(2):
        expected = theirs.get_random_transformation(images)
        drawn = ours.get_random_transformation(torch.from_numpy(images))
        np.testing.assert_array_equal(drawn["layer_idxes"], expected["layer_idxes"])
        for name in NAMES:
            ours_t, their_t = drawn["transforms"][name], expected["transforms"][name]
            assert (ours_t is None) == (their_t is None), name
            for key in ours_t or {}:
                np.testing.assert_allclose(_numpy(ours_t[key]), _numpy(their_t[key]),
                                           atol=1e-5, err_msg=f"{name} {key}")


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_rand_augment_each_op_on_a_keras_transformation_equals_keras(data_format):
    keras = pytest.importorskip("keras")
    images = _layout(IMAGES, data_format)
    theirs = keras.layers.RandAugment(num_ops=1, seed=6, data_format=data_format)
    ours = layers.RandAugment(num_ops=1, data_format=data_format)
    for index, name in enumerate(NAMES):
        if name == "auto_contrast" and data_format == "channels_first":
            continue  # Keras averages over axes (1, 2) whatever the format
        transformation = theirs.get_random_transformation(images)
        transformation["layer_idxes"] = torch.tensor([index])
        if name != "random_brightness":  # Keras adds it in place even when not picked
            transformation["transforms"]["random_brightness"]["rgb_delta"] *= 0
        ours_out = ours.transform_images(images, copy.deepcopy(transformation)).numpy()
        expected = theirs.transform_images(torch.from_numpy(images), transformation)
        np.testing.assert_allclose(ours_out, keras.ops.convert_to_numpy(expected), atol=2e-3,
                                   err_msg=name)


def test_rand_augment_seeded_call_applies_keras_draws_with_keras_sublayers():
    keras = pytest.importorskip("keras")
    theirs = keras.layers.RandAugment(num_ops=3, seed=8)
    ours = layers.RandAugment(num_ops=3, seed=8)
    for _ in range(2):
        transformation = theirs.get_random_transformation(IMAGES)
        # Keras's own loop runs every op at each step (its affine_transform edits the
        # rotation matrix in place); each picked op is applied once here instead.
        expected = torch.from_numpy(IMAGES.copy())
        for index in transformation["layer_idxes"].tolist():
            name = NAMES[index]
            step = copy.deepcopy(transformation["transforms"][name])
            expected = getattr(theirs, name).transform_images(expected, step)
        np.testing.assert_allclose(ours(IMAGES, training=True).numpy(),
                                   keras.ops.convert_to_numpy(expected), atol=2e-3)


@pytest.mark.parametrize("all_ops", [True, False])
def test_aug_mix_seeded_calls_equal_keras(all_ops):
    keras = pytest.importorskip("keras")
    random.seed(7)  # Keras picks the chains' ops with Python's global `random`
    theirs = keras.layers.AugMix(seed=7, all_ops=all_ops)
    ours = layers.AugMix(seed=7, all_ops=all_ops)
    for _ in range(2):
        expected = keras.ops.convert_to_numpy(theirs(IMAGES))
        np.testing.assert_allclose(ours(IMAGES, training=True).numpy(), expected, atol=1e-3)


def test_aug_mix_channels_first_on_a_keras_transformation_equals_keras():
    keras = pytest.importorskip("keras")
    images = _layout(IMAGES, "channels_first")
    theirs = keras.layers.AugMix(seed=3, chain_depth=4, data_format="channels_first")
    ours = layers.AugMix(chain_depth=4, data_format="channels_first")
    transformation = theirs.get_random_transformation(images)
    # Keras's AutoContrast ignores channels_first; leave it out of the chains.
    transformation["chain_transforms"] = [
        [step for step in chain if step["layer_name"] != "auto_contrast"]
        for chain in transformation["chain_transforms"]]
    assert sum(map(len, transformation["chain_transforms"])) > 3
    ours_out = ours.transform_images(images, copy.deepcopy(transformation)).numpy()
    expected = theirs.transform_images(torch.from_numpy(images), transformation)
    np.testing.assert_allclose(ours_out, keras.ops.convert_to_numpy(expected), atol=1e-3)
    weights = ours.get_random_transformation(torch.from_numpy(images))["chain_mixing_weights"]
    np.testing.assert_allclose(weights.sum().item(), 1.0, rtol=1e-6)


def test_pipeline_applies_its_layers_in_order_like_keras():
    keras = pytest.importorskip("keras")
    ours = layers.Pipeline([layers.Rescaling(1 / 255.0),
                            layers.RandomHue(0.5, value_range=(0, 1), seed=1)])
    theirs = keras.layers.Pipeline([keras.layers.Rescaling(1 / 255.0),
                                    keras.layers.RandomHue(0.5, value_range=(0, 1), seed=1)])
    # Called directly, both take the default of `call`: training=True.
    np.testing.assert_allclose(ours(IMAGES).numpy(),
                               keras.ops.convert_to_numpy(theirs(IMAGES)), atol=1e-6)
    np.testing.assert_allclose(ours(IMAGES, training=False).numpy(), IMAGES / 255.0, rtol=1e-6)
    mixed = layers.Pipeline([layers.MixUp(seed=2)])(
        {"images": IMAGES, "labels": np.eye(3, dtype="float32")}, training=True)
    np.testing.assert_allclose(mixed["labels"].numpy().sum(axis=1), 1.0, rtol=1e-6)
    assert [type(layer).__name__ for layer in ours.layers] == ["Rescaling", "RandomHue"]


@pytest.mark.parametrize("name, kwargs", [
    ("RandAugment", {"value_range": (0, 1), "num_ops": 3, "factor": 0.3,
                     "interpolation": "nearest"}),
    ("AugMix", {"value_range": (0, 1), "num_chains": 2, "chain_depth": 2, "factor": 0.4,
                "alpha": 0.5, "all_ops": False}),
])
def test_policy_augmentation_config_inference_and_keras_files(name, kwargs, tmp_path):
    keras = pytest.importorskip("keras")
    layer = getattr(layers, name)(**kwargs, seed=3)
    unit = IMAGES / 255.0
    np.testing.assert_array_equal(layer(unit, training=False).numpy(), unit)
    assert tuple(layer(unit[0], training=True).shape) == unit.shape[1:]
    ours_config = layer.get_config()
    their_config = getattr(keras.layers, name)(**kwargs, seed=3).get_config()
    assert set(ours_config) == set(their_config)
    for key in set(ours_config) - {"name"}:
        assert ours_config[key] == their_config[key], key
    assert type(layer).from_config(ours_config).get_config() == ours_config
    hocsau.Sequential([hocsau.Input((8, 9, 3)), layer]).save(tmp_path / "ours.keras")
    assert type(keras.saving.load_model(tmp_path / "ours.keras").layers[0]).__name__ == name
    keras.Sequential([keras.Input((8, 9, 3)), getattr(keras.layers, name)(**kwargs)]).save(
        tmp_path / "theirs.keras")
    loaded = hocsau.saving.load_model(tmp_path / "theirs.keras").layers[0]
    assert loaded.get_config()["factor"] == their_config["factor"]


@pytest.mark.filterwarnings("ignore:(?s).*does not have a `build\\(\\)` method:UserWarning")
def test_pipeline_config_and_keras_files_both_ways(tmp_path):
    keras = pytest.importorskip("keras")
    ours = hocsau.Sequential([hocsau.Input((8, 9, 3)), layers.Pipeline(
        [layers.Rescaling(0.5), layers.RandomFlip(seed=1), layers.Dense(2)]), layers.Flatten()])
    config = ours.layers[0].get_config()
    assert sorted(config) == ["layers", "name"]
    assert [c["class_name"] for c in config["layers"]] == ["Rescaling", "RandomFlip", "Dense"]
    assert layers.Pipeline.from_config(config).get_config() == config
    ours.save(tmp_path / "ours.keras")
    theirs = keras.saving.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(theirs.predict(IMAGES, verbose=0)),
                               ours.predict(IMAGES, verbose=0), rtol=1e-5)
    theirs.save(tmp_path / "theirs.keras")
    back = hocsau.saving.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(back.predict(IMAGES, verbose=0), ours.predict(IMAGES, verbose=0),
                               rtol=1e-5)


def test_policy_augmentations_train_in_sequential_and_map_over_dataset():
    unit = {"value_range": (0, 1)}
    model = hocsau.Sequential([
        hocsau.Input((8, 9, 3)),
        layers.Pipeline([layers.RandAugment(**unit, seed=1), layers.AugMix(**unit, seed=2)]),
        layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(IMAGES / 255.0, np.zeros((3, 1), "float32"), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    layer = layers.RandAugment(**unit, num_ops=2, seed=5)
    dataset = hocsau.data.Dataset.from_tensor_slices(IMAGES / 255.0).batch(3).map(
        lambda x: layer(x, training=True))
    batch, = list(dataset.as_numpy_iterator())
    assert batch.shape == IMAGES.shape and 0.0 <= batch.min() and batch.max() <= 1.0


@pytest.mark.parametrize("build, message", [
    (lambda: layers.RandAugment(num_ops=-1), "Received: num_ops=-1"),
    (lambda: layers.RandAugment(factor=2), "in the range \\[0, 1\\]. Received: factor=2"),
    (lambda: layers.RandAugment(interpolation="cubic"), "Received: interpolation='cubic'"),
    (lambda: layers.AugMix(num_chains=0), "positive integer. Received: num_chains=0"),
    (lambda: layers.AugMix(alpha=-1.0), "positive number. Received: alpha=-1.0"),
    (lambda: layers.AugMix(value_range=(1,)), "Received: value_range=\\(1,\\)"),
    (lambda: layers.Pipeline([lambda x: x]), "list of layers. Received: layers="),
    (lambda: layers.Pipeline.from_config({"name": "p"}), "Received: layers=None"),
])
def test_policy_augmentations_reject_bad_arguments(build, message):
    with pytest.raises(ValueError, match=message):
        build()
