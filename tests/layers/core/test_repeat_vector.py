"""RepeatVector against Keras 3."""

import numpy as np
import pytest

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test


def test_repeat_vector_matches_keras(keras_parity, rng):
    x = rng.normal(size=(2, 4)).astype("float32")
    _, _, out = keras_parity("RepeatVector", {"n": 3}, x)
    assert out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out[:, 2], x)


def test_symbolic_shape_and_rank_check():
    assert layers.RepeatVector(5)(hocsau.Input((7,))).shape == (None, 5, 7)
    with pytest.raises(ValueError, match="repeat_vector"):
        layers.RepeatVector(2)(hocsau.Input((3, 4)))


def test_invalid_n():
    with pytest.raises(TypeError, match="Expected an integer value for `n`"):
        layers.RepeatVector(2.0)
    with pytest.raises(ValueError, match="positive integer. Received: n=0"):
        layers.RepeatVector(0)


def test_repeat_vector_layer_contract():
    run_layer_test(layers.RepeatVector, {"n": 2}, input_shape=(3, 4),
                   expected_output_shape=(3, 2, 4), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0)
