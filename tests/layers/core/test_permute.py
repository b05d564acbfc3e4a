"""Permute against Keras 3."""

import pytest

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test


@pytest.mark.parametrize("dims", [(2, 1), (1, 2)])
def test_permute_2d_matches_keras(keras_parity, rng, dims):
    keras_parity("Permute", {"dims": dims}, rng.normal(size=(2, 3, 4)).astype("float32"))


def test_permute_3d_matches_keras(keras_parity, rng):
    _, _, out = keras_parity("Permute", {"dims": (3, 1, 2)},
                             rng.normal(size=(2, 3, 4, 5)).astype("float32"))
    assert out.shape == (2, 5, 3, 4)


def test_symbolic_shape_and_rank_check():
    layer = layers.Permute((2, 1))
    assert layer(hocsau.Input((3, None))).shape == (None, None, 3)
    with pytest.raises(ValueError, match="permute"):
        layers.Permute((2, 1))(hocsau.Input((3, 4, 5)))


def test_invalid_dims():
    with pytest.raises(ValueError, match=r"consecutive and start from 1. Received dims=\(0, 1\)"):
        layers.Permute((0, 1))


def test_permute_layer_contract():
    run_layer_test(layers.Permute, {"dims": (2, 1)}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0)
