"""Parity helper for the layer tests: the same layer in Keras 3 and in hocsau."""

import numpy as np
import pytest

from hocsau import layers


@pytest.fixture
def keras_parity():
    """`check(name, kwargs, x, **call_kwargs)`: build Keras's and our layer `name`, copy
    Keras's weights into ours, assert equal outputs (rtol 1e-5) and equal config keys.
    Returns (ours, theirs, our output as numpy)."""
    keras = pytest.importorskip("keras")

    def check(name, kwargs, x, **call_kwargs):
        theirs = getattr(keras.layers, name)(**kwargs)
        expected = keras.ops.convert_to_numpy(theirs(x, **call_kwargs))
        ours = getattr(layers, name)(**kwargs)
        ours(x, **call_kwargs)
        ours.set_weights(theirs.get_weights())
        actual = ours(x, **call_kwargs).detach().cpu().numpy()
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
        assert set(ours.get_config()) == set(theirs.get_config())
        return ours, theirs, actual

    return check


@pytest.fixture
def rng():
    return np.random.default_rng(0)
