"""Reshape against Keras 3: -1 inference, symbolic shapes, error messages."""

import pytest

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test


@pytest.mark.parametrize("target", [(3, 4), (-1, 2, 2), (12,), (2, -1)])
def test_reshape_matches_keras(keras_parity, rng, target):
    x = rng.normal(size=(2, 12)).astype("float32")
    ours, _, out = keras_parity("Reshape", {"target_shape": target}, x)
    assert out.shape[0] == 2 and out.size == 24
    assert ours.get_config()["target_shape"] == target


def test_symbolic_shapes_resolve_minus_one():
    x = hocsau.Input((12,))
    assert layers.Reshape((-1, 2, 2))(x).shape == (None, 3, 2, 2)
    assert layers.Reshape((-1, 2))(hocsau.Input((None, 4))).shape == (None, None, 2)


def test_size_mismatch_is_reported_when_the_graph_is_built():
    with pytest.raises(ValueError, match="total size of the tensor must be unchanged"):
        layers.Reshape((5, 3))(hocsau.Input((12,)))
    with pytest.raises(ValueError, match="cannot by divided"):
        layers.Reshape((-1, 5))(hocsau.Input((12,)))


def test_invalid_target_shapes():
    with pytest.raises(ValueError, match="at most one unknown dimension"):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match="non-negative integer, or `-1`"):
        layers.Reshape((-2, 3))


def test_reshape_from_list_config():
    layer = layers.Reshape.from_config({"name": "r", "target_shape": [4, 3]})
    assert layer.target_shape == (4, 3)


def test_reshape_layer_contract():
    run_layer_test(layers.Reshape, {"target_shape": (2, -1)}, input_shape=(3, 4, 2),
                   expected_output_shape=(3, 2, 4), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0)
