"""Dropout: inference identity, Keras's inverted scaling in training, noise_shape, seeds."""

import numpy as np
import pytest
import torch

from hocsau import layers
from hocsau.testing import run_layer_test


def test_inference_matches_keras(keras_parity, rng):
    x = rng.normal(size=(4, 6)).astype("float32")
    _, _, out = keras_parity("Dropout", {"rate": 0.5}, x)
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize("seed", [None, 3])
def test_training_drops_about_rate_and_scales_the_rest(seed):
    x = torch.ones(200, 100)
    out = layers.Dropout(0.3, seed=seed)(x, training=True)
    dropped = (out == 0).float().mean().item()
    assert abs(dropped - 0.3) < 0.02
    np.testing.assert_allclose(out[out != 0].numpy(), 1 / 0.7, rtol=1e-6)


def test_noise_shape_shares_the_mask_along_unit_axes():
    x = torch.ones(8, 5, 16)
    out = layers.Dropout(0.5, noise_shape=(None, 1, 16), seed=1)(x, training=True)
    kept = out != 0
    assert torch.equal(kept, kept[:, :1, :].expand_as(kept))
    assert 0 < kept.float().mean().item() < 1


def test_same_seed_gives_same_masks_and_successive_calls_differ():
    x = torch.ones(4, 50)
    a, b = layers.Dropout(0.5, seed=7), layers.Dropout(0.5, seed=7)
    first_a, first_b = a(x, training=True), b(x, training=True)
    assert torch.equal(first_a, first_b)
    assert not torch.equal(first_a, a(x, training=True))


def test_rate_zero_and_one():
    x = torch.randn(3, 4)
    assert torch.equal(layers.Dropout(0.0)(x, training=True), x)
    assert torch.count_nonzero(layers.Dropout(1.0)(x, training=True)).item() == 0


def test_training_flag_from_the_layer_mode():
    layer = layers.Dropout(0.9)
    x = torch.ones(100, 100)
    assert torch.equal(layer(x), x)
    layer.train()
    assert (layer(x) == 0).float().mean().item() > 0.8


def test_invalid_arguments():
    with pytest.raises(ValueError, match="between 0 and 1. Received: rate=1.5"):
        layers.Dropout(1.5)
    with pytest.raises(ValueError, match="Received negative or zero value at index 1: 0"):
        layers.Dropout(0.5, noise_shape=(None, 0))
    with pytest.raises(ValueError, match="Expected a tuple or list of integers"):
        layers.Dropout(0.5, noise_shape="abc")


def test_config_matches_keras():
    keras = pytest.importorskip("keras")
    kwargs = {"rate": 0.25, "noise_shape": (None, 1, 3), "seed": 5}
    ours = layers.Dropout(**kwargs).get_config()
    assert set(ours) == set(keras.layers.Dropout(**kwargs).get_config())
    assert (ours["rate"], ours["noise_shape"], ours["seed"]) == (0.25, (None, 1, 3), 5)


def test_dropout_layer_contract():
    run_layer_test(layers.Dropout, {"rate": 0.5, "seed": 1}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, supports_masking=True,
                   run_training_check=True)
