"""PReLU against Keras 3: learned slopes, shared axes, weight shapes, training."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test


@pytest.mark.parametrize("shared_axes, weight_shape", [
    (None, (3, 4)), ([1], (1, 4)), (2, (3, 1)), ((1, 2), (1, 1)),
])
def test_prelu_matches_keras(keras_parity, rng, shared_axes, weight_shape):
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    kwargs = {"alpha_initializer": "random_uniform", "shared_axes": shared_axes}
    ours, theirs, _ = keras_parity("PReLU", kwargs, x)
    assert tuple(ours.alpha.shape) == weight_shape == tuple(theirs.alpha.shape)
    assert ours.get_config()["shared_axes"] == theirs.get_config()["shared_axes"]


def test_config_matches_keras():
    keras = pytest.importorskip("keras")
    kwargs = {"alpha_regularizer": "l2", "alpha_constraint": "non_neg", "shared_axes": [1]}
    ours, theirs = layers.PReLU(**kwargs).get_config(), keras.layers.PReLU(**kwargs).get_config()
    for key in ("alpha_initializer", "alpha_regularizer", "alpha_constraint"):
        assert ours[key]["class_name"] == theirs[key]["class_name"]
    assert set(ours) == set(theirs)


def test_default_alpha_is_zero_so_it_starts_as_relu():
    x = torch.tensor([[-2.0, 3.0]])
    np.testing.assert_allclose(layers.PReLU()(x).detach().numpy(), [[0.0, 3.0]])


def test_shared_axes_pin_the_other_axes():
    layer = layers.PReLU(shared_axes=[1, 2])
    layer(hocsau.Input((5, 5, 3)))
    assert tuple(layer.alpha.shape) == (1, 1, 3)
    with pytest.raises(ValueError, match="p_re_lu"):
        layer(hocsau.Input((5, 5, 4)))


def test_prelu_layer_contract():
    run_layer_test(layers.PReLU, {"alpha_initializer": "ones", "shared_axes": [1]},
                   input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=1, expected_num_non_trainable_weights=0,
                   supports_masking=True, run_training_check=True)
