"""MixUp and CutMix against Keras 3 on its torch backend: seeded calls on images and on
{"images", "labels"} dicts (both data formats), hand-computed label mixing, inference,
config, `.keras` files both ways, training, Dataset.map and errors."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers

IMAGES = np.random.default_rng(1).uniform(0, 255, (4, 5, 6, 3)).astype("float32")
LABELS = np.eye(3, dtype="float32")[[0, 1, 2, 0]]
CASES = [("MixUp", {"alpha": 0.4}), ("CutMix", {"factor": 0.8})]
IDS = [name for name, _ in CASES]


def _layout(images, data_format):
    return images if data_format == "channels_last" else images.transpose(0, 3, 1, 2)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_mixing_seeded_dict_calls_equal_keras(name, kwargs, data_format):
    keras = pytest.importorskip("keras")
    images = _layout(IMAGES, data_format)
    theirs = getattr(keras.layers, name)(**kwargs, seed=5, data_format=data_format)
    ours = getattr(layers, name)(**kwargs, seed=5, data_format=data_format)
    for _ in range(2):  # the seed streams advance alike
        expected = theirs({"images": images, "labels": LABELS})
        out = ours({"images": images, "labels": LABELS}, training=True)
        for key in ("images", "labels"):
            np.testing.assert_allclose(out[key].numpy(), keras.ops.convert_to_numpy(
                expected[key]), rtol=1e-6, atol=1e-4)
        assert not np.allclose(out["labels"].numpy(), LABELS)


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_mixing_seeded_image_calls_equal_keras(name, kwargs):
    keras = pytest.importorskip("keras")
    expected = getattr(keras.layers, name)(**kwargs, seed=11)(IMAGES)
    out = getattr(layers, name)(**kwargs, seed=11)(IMAGES, training=True)
    np.testing.assert_allclose(out.numpy(), keras.ops.convert_to_numpy(expected), atol=1e-4)


def test_mix_up_mixes_labels_and_images_by_the_weights():
    layer = layers.MixUp()
    transformation = {"mix_weight": torch.tensor([0.25, 1.0]),
                      "permutation_order": torch.tensor([1, 0])}
    labels = layer.transform_labels(torch.tensor([[1.0, 0.0], [0.0, 1.0]]), transformation)
    np.testing.assert_allclose(labels.numpy(), [[0.25, 0.75], [0.0, 1.0]])
    images = torch.tensor([[[[4.0]]], [[[8.0]]]])
    np.testing.assert_allclose(layer.transform_images(images, transformation).numpy().ravel(),
                               [7.0, 8.0])


def test_cut_mix_pastes_the_masked_patch_and_mixes_labels_by_the_uncovered_share():
    layer = layers.CutMix()
    masks = torch.zeros(2, 2, 2, 1, dtype=torch.bool)
    masks[0, :, :1] = True  # the left half of image 0 comes from image 1
    transformation = {"permutation_order": torch.tensor([1, 0]), "batch_masks": masks,
                      "mix_weight": torch.tensor([0.5, 1.0]).reshape(-1, 1, 1, 1)}
    images = torch.stack([torch.zeros(2, 2, 1), torch.ones(2, 2, 1)])
    out = layer.transform_images(images, transformation).numpy()
    np.testing.assert_array_equal(out[0, :, :, 0], [[1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(out[1], np.ones((2, 2, 1)))
    labels = layer.transform_labels(torch.tensor([[1.0, 0.0], [0.0, 1.0]]), transformation)
    np.testing.assert_allclose(labels.numpy(), [[0.5, 0.5], [0.0, 1.0]])


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_mixing_inference_is_identity_and_single_images_work(name, kwargs):
    layer = getattr(layers, name)(**kwargs, seed=1)
    np.testing.assert_array_equal(layer(IMAGES, training=False).numpy(), IMAGES)
    out = layer({"images": IMAGES, "labels": LABELS}, training=False)
    np.testing.assert_array_equal(out["labels"].numpy(), LABELS)
    single = layer({"images": IMAGES[0], "labels": LABELS[0]}, training=True)
    np.testing.assert_allclose(single["images"].numpy(), IMAGES[0], rtol=1e-6)
    np.testing.assert_allclose(single["labels"].numpy(), LABELS[0], atol=1e-6)
    assert layer.compute_output_shape((None, 5, 6, 3)) == (None, 5, 6, 3)


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_mixing_config_and_keras_files(name, kwargs, tmp_path):
    keras = pytest.importorskip("keras")
    layer = getattr(layers, name)(**kwargs, seed=3)
    ours_config = layer.get_config()
    their_config = getattr(keras.layers, name)(**kwargs, seed=3).get_config()
    assert set(ours_config) == set(their_config)
    for key in set(ours_config) - {"name"}:
        assert ours_config[key] == their_config[key], key
    assert type(layer).from_config(ours_config).get_config() == ours_config
    model = hocsau.Sequential([hocsau.Input((5, 6, 3)), layer])
    model.save(tmp_path / "ours.keras")
    back = keras.saving.load_model(tmp_path / "ours.keras").layers[0]
    assert (type(back).__name__, back.seed) == (name, 3)
    theirs = keras.Sequential([keras.Input((5, 6, 3)), getattr(keras.layers, name)(**kwargs)])
    theirs.save(tmp_path / "theirs.keras")
    loaded = hocsau.saving.load_model(tmp_path / "theirs.keras").layers[0]
    assert type(loaded) is type(layer)
    assert loaded.get_config()[next(iter(kwargs))] == their_config[next(iter(kwargs))]


def test_mixing_layers_train_in_sequential_and_mix_labels_in_dataset_map():
    model = hocsau.Sequential([hocsau.Input((5, 6, 3)), layers.MixUp(seed=1),
                               layers.CutMix(seed=2), layers.Flatten(), layers.Dense(3)])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    history = model.fit(IMAGES / 255.0, LABELS, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    np.testing.assert_allclose(model.predict(IMAGES / 255.0, verbose=0).shape, (4, 3))
    mix_up = layers.MixUp(alpha=0.5, seed=4)

    def mix(images, labels):
        out = mix_up({"images": images, "labels": labels}, training=True)
        return out["images"], out["labels"]

    dataset = hocsau.data.Dataset.from_tensor_slices((IMAGES, LABELS)).batch(4).map(mix)
    (images, labels), = list(dataset.as_numpy_iterator())
    assert images.shape == IMAGES.shape
    np.testing.assert_allclose(labels.sum(axis=1), 1.0, rtol=1e-6)
    assert not np.allclose(labels, LABELS)


@pytest.mark.parametrize("build, message", [
    (lambda: layers.MixUp(alpha=0), "positive number. Received: alpha=0"),
    (lambda: layers.CutMix(factor=1.5), "in the range \\[0, 1\\]. Received: factor=1.5"),
    (lambda: layers.MixUp()({"images": IMAGES, "labels": np.arange(4.0)}, training=True),
     "one-hot encode integer labels first. Received: labels.shape=\\(4,\\)"),
    (lambda: layers.CutMix()({"images": IMAGES, "bounding_boxes": {}}, training=True),
     "Received: keys=\\['bounding_boxes', 'images'\\]"),
    (lambda: layers.MixUp()(IMAGES[0, :, :, 0], training=True),
     "Received: inputs.shape=\\(5, 6\\)"),
])
def test_mixing_layers_reject_bad_arguments(build, message):
    with pytest.raises(ValueError, match=message):
        build()
