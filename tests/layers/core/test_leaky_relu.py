"""LeakyReLU against Keras 3."""

import pytest

from hocsau import layers
from hocsau.testing import run_layer_test


@pytest.mark.parametrize("slope", [0.3, 0.01, 0.0])
def test_leaky_relu_matches_keras(keras_parity, rng, slope):
    x = rng.normal(size=(3, 7)).astype("float32")
    ours, _, _ = keras_parity("LeakyReLU", {"negative_slope": slope}, x)
    assert ours.get_config()["negative_slope"] == slope


def test_default_slope_is_keras_03():
    assert layers.LeakyReLU().negative_slope == 0.3


def test_alpha_is_deprecated_but_accepted():
    with pytest.warns(UserWarning, match="`alpha` is deprecated"):
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1


def test_negative_slope_is_validated():
    with pytest.raises(ValueError, match="Received: negative_slope=-1"):
        layers.LeakyReLU(negative_slope=-1)


def test_leaky_relu_layer_contract():
    run_layer_test(layers.LeakyReLU, {"negative_slope": 0.2}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, supports_masking=True)
