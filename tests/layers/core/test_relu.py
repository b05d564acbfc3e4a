"""ReLU against Keras 3, with ceilings, leaks and thresholds."""

import pytest

from hocsau import layers
from hocsau.testing import run_layer_test


@pytest.mark.parametrize("kwargs", [
    {}, {"max_value": 6.0}, {"negative_slope": 0.1}, {"threshold": 0.5},
    {"max_value": 1.5, "negative_slope": 0.2, "threshold": 0.3}, {"max_value": 0.0},
])
def test_relu_matches_keras(keras_parity, rng, kwargs):
    x = rng.normal(size=(4, 9)).astype("float32") * 4
    ours, _, _ = keras_parity("ReLU", kwargs, x)
    config = ours.get_config()
    assert (config["max_value"], config["negative_slope"], config["threshold"]) == (
        kwargs.get("max_value"), kwargs.get("negative_slope", 0.0), kwargs.get("threshold", 0.0))


@pytest.mark.parametrize("kwargs, message", [
    ({"max_value": -1.0}, "max_value=-1.0"),
    ({"negative_slope": -0.1}, "negative_slope=-0.1"),
    ({"threshold": None}, "threshold=None"),
])
def test_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.ReLU(**kwargs)


def test_relu_layer_contract():
    run_layer_test(layers.ReLU, {"max_value": 1.0}, input_shape=(2, 5),
                   expected_output_shape=(2, 5), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, supports_masking=True)
