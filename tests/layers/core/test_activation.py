"""Activation against Keras 3: outputs, config, masking."""

import numpy as np
import pytest
import torch

from hocsau import layers
from hocsau.testing import run_layer_test


@pytest.mark.parametrize("activation", ["relu", "tanh", "softmax", "gelu", "linear", "selu"])
def test_activation_matches_keras(keras_parity, rng, activation):
    x = rng.normal(size=(3, 5)).astype("float32")
    ours, _, _ = keras_parity("Activation", {"activation": activation}, x)
    assert ours.get_config()["activation"] == activation


def test_activation_accepts_a_callable():
    layer = layers.Activation(torch.square)
    out = layer(torch.tensor([[-2.0, 3.0]]))
    np.testing.assert_allclose(out.numpy(), [[4.0, 9.0]])


def test_activation_passes_the_mask_through():
    x = torch.ones(2, 3)
    x._keras_mask = torch.tensor([[True, False, True], [True, True, False]])
    out = layers.Activation("relu")(x)
    assert out._keras_mask.tolist() == x._keras_mask.tolist()


def test_activation_layer_contract():
    run_layer_test(layers.Activation, {"activation": "relu"}, input_shape=(2, 4, 3),
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, supports_masking=True)


def test_unknown_activation_name_is_refused():
    with pytest.raises(ValueError, match="relu"):
        layers.Activation("rleu")
