"""ELU against Keras 3."""

import pytest

from hocsau import layers
from hocsau.testing import run_layer_test


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.0])
def test_elu_matches_keras(keras_parity, rng, alpha):
    x = rng.normal(size=(3, 7)).astype("float32") * 3
    ours, _, _ = keras_parity("ELU", {"alpha": alpha}, x)
    assert ours.get_config()["alpha"] == alpha


def test_elu_layer_contract():
    run_layer_test(layers.ELU, {"alpha": 0.7}, input_shape=(2, 5),
                   expected_output_shape=(2, 5), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, supports_masking=True)
