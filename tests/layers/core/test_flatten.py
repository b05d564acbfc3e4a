"""Flatten against Keras 3: both data formats, rank-1 inputs, symbolic shapes."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_flatten_matches_keras(keras_parity, rng, data_format, shape):
    x = rng.normal(size=shape).astype("float32")
    ours, _, out = keras_parity("Flatten", {"data_format": data_format}, x)
    assert out.shape == (2, int(np.prod(shape[1:])))
    assert ours.get_config()["data_format"] == data_format


def test_rank_one_input_gets_a_feature_axis():
    out = layers.Flatten()(torch.arange(3.0))
    assert tuple(out.shape) == (3, 1)


def test_symbolic_shapes():
    assert layers.Flatten()(hocsau.Input((10, 64))).shape == (None, 640)
    assert layers.Flatten()(hocsau.Input((None, 4))).shape == (None, None)


def test_invalid_data_format():
    with pytest.raises(ValueError, match="Received: data_format=channels_middle"):
        layers.Flatten(data_format="channels_middle")


def test_flatten_layer_contract():
    run_layer_test(layers.Flatten, {}, input_shape=(2, 3, 4), expected_output_shape=(2, 12),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   supports_masking=False)
