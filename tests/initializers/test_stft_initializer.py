"""STFT: DFT kernels with windows and scaling, against Keras."""

import keras
import numpy as np
import pytest

from hocsau import initializers


@pytest.mark.parametrize("side", ["real", "imag"])
@pytest.mark.parametrize("window, scaling, periodic", [
    ("hann", "density", False), ("hamming", "spectrum", True), (None, None, False),
    ("hann", None, True),
])
def test_matches_keras(side, window, scaling, periodic):
    kwargs = {"side": side, "window": window, "scaling": scaling, "periodic": periodic}
    ours = initializers.STFT(**kwargs)((16, 1, 9)).numpy()
    theirs = keras.ops.convert_to_numpy(keras.initializers.STFT(**kwargs)((16, 1, 9)))
    assert ours.shape == (16, 1, 9)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_unwindowed_real_kernel_is_a_cosine_table():
    kernel = initializers.STFT(window=None, scaling=None)((4, 1, 3)).numpy()[:, 0, :]
    t, f = np.meshgrid(np.arange(4), np.arange(3), indexing="ij")
    np.testing.assert_allclose(kernel, np.cos(-2 * np.pi * t * f / 4), atol=1e-6)


def test_array_window():
    window = np.linspace(0.5, 1.0, 8)
    ours = initializers.STFT(window=window, scaling="spectrum")((8, 1, 5)).numpy()
    theirs = keras.initializers.STFT(window=window, scaling="spectrum")((8, 1, 5))
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(theirs), atol=1e-6)
    with pytest.raises(ValueError, match=r"\[frame_length\]. Received: window shape=\(8,\)"):
        initializers.STFT(window=window)((6, 1, 5))


@pytest.mark.parametrize("kwargs, message", [
    ({"side": "both"}, "side should be 'real' or 'imag'. Received: side='both'"),
    ({"scaling": "l3"}, "Scaling is invalid.*Received: scaling='l3'"),
])
def test_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        initializers.STFT(**kwargs)


def test_config_matches_keras():
    ours = initializers.STFT("imag", "hamming", "spectrum", True)
    theirs = keras.initializers.STFT("imag", "hamming", "spectrum", True)
    assert ours.get_config() == theirs.get_config()
    assert initializers.deserialize(keras.initializers.serialize(theirs)).side == "imag"
