import numpy as np
import pytest
from ops_parity import RNG, assert_close, assert_like_keras

from hocsau import ops

SIGNAL = RNG.normal(size=(2, 40)).astype("float32")


@pytest.mark.parametrize("length,stride,fft,window,center", [
    (8, 4, 16, "hann", True), (8, 3, 8, "hamming", False), (10, 5, 16, None, True),
    (6, 2, 8, np.linspace(0.5, 1.0, 6).astype("float32"), True),
])
def test_stft_matches_keras(length, stride, fft, window, center):
    result = ops.stft(SIGNAL, length, stride, fft, window=window, center=center)
    assert_like_keras(result, "stft", SIGNAL, length, stride, fft, window=window, center=center,
                      atol=1e-5)


@pytest.mark.parametrize("length,stride,fft,center", [(16, 4, 16, True), (12, 4, 16, True),
                                                      (8, 4, 8, False), (12, 3, 16, False)])
def test_istft_matches_keras(length, stride, fft, center):
    spectrum = ops.stft(SIGNAL, length, stride, fft, center=center)
    result = ops.istft(spectrum, length, stride, fft, center=center)
    assert_like_keras(result, "istft", spectrum, length, stride, fft, center=center, atol=1e-5)


def test_stft_round_trip_restores_the_signal():
    spectrum = ops.stft(SIGNAL, 16, 4, 16)
    assert_close(ops.istft(spectrum, 16, 4, 16, length=40), SIGNAL, atol=1e-5)


def test_stft_argument_errors():
    with pytest.raises(TypeError, match="float32"):
        ops.stft(SIGNAL.astype("int32"), 8, 4, 8)
    with pytest.raises(ValueError, match="fft_length"):
        ops.stft(SIGNAL, 8, 4, 4)
    with pytest.raises(ValueError, match="'hann', 'hamming'"):
        ops.stft(SIGNAL, 8, 4, 8, window="box")
