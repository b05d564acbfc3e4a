"""Identity: the input (and its mask) unchanged; Keras's config keys."""

import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test


def test_identity_matches_keras(keras_parity, rng):
    keras_parity("Identity", {}, rng.normal(size=(2, 3)).astype("float32"))


def test_identity_passes_structures_and_masks():
    a, b = torch.ones(2, 3), torch.zeros(2)
    assert layers.Identity()([a, b])[1] is b
    a._keras_mask = torch.tensor([True, False])
    assert layers.Identity()(a)._keras_mask.tolist() == [True, False]
    assert layers.Identity()(hocsau.Input((4, 5))).shape == (None, 4, 5)


def test_identity_layer_contract():
    run_layer_test(layers.Identity, {}, input_shape=(2, 3), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   supports_masking=True)


def test_identity_refuses_unknown_arguments():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Identity"):
        layers.Identity(units=3)
