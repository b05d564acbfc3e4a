"""Wrapper, the base of TimeDistributed and SpectralNormalization, against Keras 3."""

import numpy as np
import pytest
import torch

from hocsau import layers

keras = pytest.importorskip("keras")


class Doubling(layers.Wrapper):
    def call(self, inputs):
        return 2 * self.layer(inputs)


def test_wrapper_builds_and_serializes_its_layer():
    wrapper = Doubling(layers.Dense(3, name="inner"), name="twice")
    out = wrapper(torch.ones(2, 4))
    assert tuple(out.shape) == (2, 3) and wrapper.layer.built
    assert [w.name for w in wrapper.weights] == ["kernel", "bias"]
    config = wrapper.get_config()
    assert config["layer"]["class_name"] == "Dense"
    assert config["layer"]["config"]["name"] == "inner"
    twin = Doubling.from_config(config)
    assert twin.layer.built and twin.name == "twice"
    twin.set_weights(wrapper.get_weights())
    np.testing.assert_allclose(twin(torch.ones(2, 4)).detach().numpy(),
                               out.detach().numpy())


def test_config_keys_match_keras():
    theirs = keras.layers.Wrapper(keras.layers.Dense(2)).get_config()
    ours = layers.Wrapper(layers.Dense(2)).get_config()
    assert set(ours) == set(theirs)
    assert ours["layer"]["class_name"] == theirs["layer"]["class_name"] == "Dense"


def test_time_distributed_is_a_wrapper():
    assert issubclass(layers.TimeDistributed, layers.Wrapper)
    assert not issubclass(layers.Bidirectional, layers.Wrapper)  # as in Keras 3


def test_rejects_non_layers():
    with pytest.raises(ValueError, match="isn't a supported layer type"):
        layers.Wrapper(torch.nn.Linear(2, 2))
