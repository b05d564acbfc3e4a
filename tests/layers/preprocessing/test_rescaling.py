"""Rescaling against Keras 3: scalar and per-channel scale / offset, dtypes, config."""

import numpy as np
import pytest

from hocsau import layers
from hocsau.testing.layer_test import run_layer_test


def test_rescaling_layer_test():
    run_layer_test(layers.Rescaling, {"scale": 0.5, "offset": 1.0}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, supports_masking=True,
                   run_training_check=True)


@pytest.mark.parametrize("kwargs", [{"scale": 1 / 255.0}, {"scale": 2.0, "offset": -1.0},
                                    {"scale": [0.5, 1.0, 2.0], "offset": [1.0, 0.0, -1.0]}])
def test_rescaling_matches_keras(keras_parity, kwargs):
    x = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    _, _, out = keras_parity("Rescaling", kwargs, x)
    assert out.shape == (2, 4, 4, 3)


def test_rescaling_casts_integer_images_to_float():
    out = layers.Rescaling(1 / 255.0)(np.full((1, 2, 2, 1), 255, dtype="uint8"))
    assert str(out.dtype) == "torch.float32"
    np.testing.assert_allclose(out.numpy(), 1.0, rtol=1e-6)


def test_rescaling_config_round_trip_with_per_channel_scale():
    layer = layers.Rescaling([0.5, 2.0], offset=1.0, name="r")
    clone = layers.Rescaling.from_config(layer.get_config())
    x = np.ones((1, 2), dtype="float32")
    np.testing.assert_allclose(clone(x).numpy(), [[1.5, 3.0]])
