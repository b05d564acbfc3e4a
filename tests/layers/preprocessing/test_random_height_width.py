"""RandomHeight / RandomWidth: tf.keras's outputs for fixed factors (recorded by
reference/make_random_size_reference.py), both data formats, seeded sizes, inference
identity, config and `.keras` round trips, a fitted model and a mapped Dataset."""

import json
import os

import numpy as np
import pytest

import hocsau
from hocsau import layers

with open(os.path.join(os.path.dirname(__file__), "reference",
                       "random_size_reference.json")) as _f:
    REFERENCE = json.load(_f)
IMAGES = np.array(REFERENCE["images"], "float32")
LAYERS = [layers.RandomHeight, layers.RandomWidth]


@pytest.mark.parametrize("case", REFERENCE["cases"],
                         ids=lambda c: f"{c['layer']}-{c['factor'][0]}-{c['interpolation']}")
def test_random_size_fixed_factor_matches_tf_keras(case):
    layer = getattr(layers, case["layer"])(case["factor"], interpolation=case["interpolation"])
    expected = np.array(case["output"], "float32")
    np.testing.assert_allclose(layer(IMAGES, training=True).numpy(), expected, rtol=1e-5,
                               atol=1e-6)
    first = getattr(layers, case["layer"])(case["factor"], interpolation=case["interpolation"],
                                           data_format="channels_first")
    out = first(IMAGES.transpose(0, 3, 1, 2), training=True).numpy()
    np.testing.assert_allclose(out, expected.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls, axis", [(layers.RandomHeight, 1), (layers.RandomWidth, 2)])
def test_random_size_equals_keras_resize_and_keeps_other_axes(cls, axis):
    keras = pytest.importorskip("keras")
    out = cls((0.5, 0.5))(IMAGES[0], training=True).numpy()  # a single image
    size = [7, 6]
    size[axis - 1] = int(np.float32(1.5) * size[axis - 1])
    expected = keras.ops.convert_to_numpy(keras.ops.image.resize(IMAGES[0], size))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    assert out.shape[axis - 1] == size[axis - 1] and out.shape[2 - axis] == IMAGES.shape[3 - axis]


@pytest.mark.parametrize("cls", LAYERS)
def test_random_size_seeded_sizes_repeat_and_stay_in_range(cls):
    axis = 1 if cls is layers.RandomHeight else 2

    def sizes(seed):
        layer = cls((-0.5, 1.0), seed=seed)
        return [layer(IMAGES, training=True).shape[axis] for _ in range(12)]

    first = sizes(3)
    assert first == sizes(3)
    assert len(set(first)) > 1
    assert all(int(0.5 * IMAGES.shape[axis]) <= s <= 2 * IMAGES.shape[axis] for s in first)


@pytest.mark.parametrize("cls", LAYERS)
def test_random_size_inference_identity_and_symbolic_shape(cls):
    layer = cls(0.3, seed=1)
    np.testing.assert_array_equal(layer(IMAGES, training=False).numpy(), IMAGES)
    expected = (None, None, 6, 3) if cls is layers.RandomHeight else (None, 7, None, 3)
    assert layer.compute_output_shape((None, 7, 6, 3)) == expected
    assert hocsau.Model(*(lambda i: (i, cls(0.3)(i)))(hocsau.Input((7, 6, 3)))).output_shape \
        == expected


@pytest.mark.parametrize("cls", LAYERS)
def test_random_size_config_and_keras_file_round_trip(cls, tmp_path):
    layer = cls((-0.2, 0.4), interpolation="nearest", seed=4)
    config = layer.get_config()
    assert {k: config[k] for k in ("factor", "interpolation", "seed")} == {
        "factor": (-0.2, 0.4), "interpolation": "nearest", "seed": 4}
    clone = cls.from_config(config)
    np.testing.assert_array_equal(clone(IMAGES, training=True).numpy(),
                                  cls((-0.2, 0.4), interpolation="nearest", seed=4)(
                                      IMAGES, training=True).numpy())
    model = hocsau.Sequential([hocsau.Input((7, 6, 3)), layer])
    model.save(tmp_path / "size.keras")
    loaded = hocsau.saving.load_model(tmp_path / "size.keras")
    assert type(loaded.layers[0]) is cls
    assert loaded.layers[0].get_config()["factor"] == [-0.2, 0.4]


@pytest.mark.parametrize("factor, message", [
    ((-1.5, 0.2), "must have values larger than -1. Received: factor=\\(-1.5, 0.2\\)"),
    ((0.4, 0.1), "upper bound less than the lower bound. Received: factor=\\(0.4, 0.1\\)"),
    ("big", "number or a list of two numbers. Received: factor=big"),
])
def test_random_size_rejects_bad_factor(factor, message):
    with pytest.raises(ValueError, match=message):
        layers.RandomHeight(factor)


def test_random_size_rejects_bad_interpolation():
    with pytest.raises(ValueError, match="Received: interpolation='area'"):
        layers.RandomWidth(0.2, interpolation="area")


def test_random_size_layers_train_in_sequential_and_map_over_dataset():
    model = hocsau.Sequential([hocsau.Input((7, 6, 3)), layers.RandomHeight(0.3, seed=1),
                               layers.RandomWidth(0.3, seed=2),
                               layers.GlobalAveragePooling2D(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(IMAGES, np.zeros((2, 1), "float32"), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(IMAGES, verbose=0).shape == (2, 1)
    layer = layers.RandomHeight((0.5, 0.5))
    dataset = hocsau.data.Dataset.from_tensor_slices(IMAGES).batch(2).map(
        lambda x: layer(x, training=True))
    assert [tuple(b.shape) for b in dataset.as_numpy_iterator()] == [(2, 10, 6, 3)]
