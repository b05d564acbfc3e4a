"""Dense against Keras 3: same weights, same outputs; config keys; N-D input."""

import numpy as np
import pytest

import hocsau
from hocsau import layers


@pytest.mark.parametrize("shape", [(5, 7), (2, 3, 7)])
@pytest.mark.parametrize("activation", [None, "relu", "tanh", "softmax"])
def test_dense_matches_keras(shape, activation):
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    reference = keras.layers.Dense(4, activation=activation)
    expected = keras.ops.convert_to_numpy(reference(x))
    ours = layers.Dense(4, activation=activation)
    ours.build((None,) + shape[1:])
    ours.set_weights(reference.get_weights())
    np.testing.assert_allclose(ours(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_dense_config_has_keras_keys_and_round_trips():
    keras = pytest.importorskip("keras")
    ours = layers.Dense(3, activation="relu", kernel_regularizer="l2", name="d")
    theirs = keras.layers.Dense(3, activation="relu", kernel_regularizer="l2", name="d")
    config = ours.get_config()
    assert set(config) - {"quantization_config"} == set(theirs.get_config()) - {
        "quantization_config"}
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    clone = layers.Dense.from_config(config)
    assert clone.get_config() == config


def test_dense_rejects_bad_units():
    with pytest.raises(ValueError, match="expected a positive integer. Received: units=0"):
        layers.Dense(0)


def test_symbolic_shape_and_weights():
    dense = layers.Dense(5)
    out = dense(hocsau.Input(shape=(10, 3)))
    assert out.shape == (None, 10, 5) and dense.count_params() == 20
