"""Normalization against Keras 3: fixed statistics, adapt from arrays / tensors / batches,
weights as Keras stores them, invert, errors."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing.layer_test import run_layer_test

DATA = np.random.default_rng(2).normal(3.0, 2.0, (6, 4, 3)).astype("float32")


def test_normalization_layer_test():
    run_layer_test(layers.Normalization, {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]},
                   input_shape=(2, 4, 3), expected_output_shape=(2, 4, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   supports_masking=True, run_training_check=True)
    run_layer_test(layers.Normalization, {"axis": -1}, input_shape=(2, 4, 3),
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=3)


@pytest.mark.parametrize("kwargs", [
    {"mean": 2.0, "variance": 3.0}, {"axis": None, "mean": 2.0, "variance": 3.0},
    {"axis": -1, "mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 0.0]},
    {"axis": (1, 2), "mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0], "invert": True},
])
def test_normalization_fixed_statistics_match_keras(keras_parity, kwargs):
    _, _, out = keras_parity("Normalization", kwargs, DATA)
    assert out.shape == DATA.shape


@pytest.mark.parametrize("axis", [-1, None, (1, 2), 1])
@pytest.mark.parametrize("source", ["array", "tensor", "batches"])
def test_normalization_adapt_matches_keras(axis, source):
    keras = pytest.importorskip("keras")
    data = {"array": DATA, "tensor": torch.from_numpy(DATA),
            "batches": [DATA[:4], DATA[4:]]}[source]
    theirs = keras.layers.Normalization(axis=axis)
    theirs.adapt(DATA)  # Keras needs TensorFlow for iterables; the statistics are the same
    ours = layers.Normalization(axis=axis)
    ours.adapt(data)
    for mine, reference in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        assert mine.shape == reference.shape and mine.dtype == reference.dtype
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)
    expected = keras.ops.convert_to_numpy(theirs(DATA))
    np.testing.assert_allclose(ours(DATA).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_normalization_adapt_on_dataset_batches_with_labels():
    ours = layers.Normalization()
    ours.adapt(iter([(DATA[:3], np.zeros(3)), (DATA[3:], np.zeros(3))]))
    np.testing.assert_allclose(ours.get_weights()[0], DATA.reshape(-1, 3).mean(0), rtol=1e-5)
    np.testing.assert_allclose(ours.get_weights()[1], DATA.reshape(-1, 3).var(0), rtol=1e-4)


def test_normalization_weights_load_into_fresh_layer():
    ours = layers.Normalization()
    ours.adapt(DATA)
    fresh = layers.Normalization()
    fresh.build((None, 4, 3))
    fresh.set_weights(ours.get_weights())
    out = fresh(DATA).numpy()
    np.testing.assert_allclose(out.reshape(-1, 3).mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.reshape(-1, 3).std(0), 1.0, rtol=1e-4)


def test_normalization_symbolic_in_model():
    norm = layers.Normalization(axis=-1)
    norm.adapt(DATA)
    model = hocsau.Sequential([hocsau.Input((4, 3)), norm, layers.Dense(2)])
    assert model.output_shape == (None, 4, 2)


@pytest.mark.parametrize("kwargs, message", [
    ({"mean": 1.0}, "both `mean` and `variance` must be set. Received: mean=1.0"),
    ({"mean": [1.0, 2.0], "variance": [1.0]}, "must have the same shape"),
    ({"axis": -1, "mean": [[1.0]], "variance": [[1.0]]}, "The rank of `mean` must be"),
])
def test_normalization_rejects_bad_statistics(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Normalization(**kwargs)


def test_normalization_adapt_errors():
    layer = layers.Normalization()
    layer.adapt(DATA)
    with pytest.raises(ValueError, match="incompatible shape, data.shape=\\(2, 4, 5\\)"):
        layer.adapt(np.zeros((2, 4, 5), "float32"))
    with pytest.raises(ValueError, match="empty iterable"):
        layers.Normalization().adapt([])
    with pytest.raises(ValueError, match="axis` values must be in the range"):
        layers.Normalization(axis=4).build((None, 3))


def _assert_same_statistics(ours, theirs, keras):
    """Our `mean`/`variance` attributes equal Keras's in shape, dtype and values."""
    for mine, reference in zip((ours.mean, ours.variance), (theirs.mean, theirs.variance),
                               strict=True):
        reference = keras.ops.convert_to_numpy(reference)
        mine = mine.numpy()
        assert mine.shape == reference.shape and mine.dtype == reference.dtype
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs, shape", [
    ({}, (None, 4, 3)), ({"axis": None}, (None, 4, 3)), ({"axis": (1, 2)}, (None, 4, 3)),
    ({"dtype": "float64"}, (None, 3)),
    ({"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]}, (None, 4, 3)),
    ({"mean": 3.0, "variance": 2.0}, (None, 2, 3)),
])
def test_normalization_mean_and_variance_attributes_match_keras(kwargs, shape):
    keras = pytest.importorskip("keras")
    theirs, ours = keras.layers.Normalization(**kwargs), layers.Normalization(**kwargs)
    assert theirs.mean is None and ours.mean is None and ours.variance is None
    theirs.build(shape)
    ours.build(shape)
    _assert_same_statistics(ours, theirs, keras)
    if "mean" not in kwargs:
        data = DATA[:, :, :shape[-1]] if len(shape) == 3 else DATA[:, 0]
        theirs.adapt(data)
        ours.adapt(data)
        _assert_same_statistics(ours, theirs, keras)


def test_normalization_mean_follows_loaded_weights():
    source = layers.Normalization()
    source.adapt(DATA)
    fresh = layers.Normalization()
    fresh.build((None, 4, 3))
    fresh.set_weights(source.get_weights())
    np.testing.assert_array_equal(fresh.mean.numpy(), source.mean.numpy())
    assert fresh.mean.shape == (1, 1, 3) and not fresh.mean.requires_grad
