"""STFTSpectrogram and MelSpectrogram: Keras parity over modes, padding, layouts and mel
settings, a hand-computed DFT bin, weights, config, `.keras` files both ways, errors."""

import itertools

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers

STFT_CASES = list(itertools.product(
    ["log", "magnitude", "psd", "real", "imag", "angle", "stft"], ["valid", "same"],
    [False, True], ["channels_last", "channels_first"]))


def _signal(data_format="channels_last", shape=(2, 50, 3)):
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    return x if data_format == "channels_last" else np.ascontiguousarray(np.moveaxis(x, -1, 1))


@pytest.mark.parametrize("mode,padding,expand_dims,data_format", STFT_CASES)
def test_stft_spectrogram_matches_keras(keras_parity, mode, padding, expand_dims, data_format):
    kwargs = {"mode": mode, "frame_length": 16, "frame_step": 5, "fft_length": 32,
              "padding": padding, "expand_dims": expand_dims, "data_format": data_format}
    x = _signal(data_format)
    ours, theirs, out = keras_parity("STFTSpectrogram", kwargs, x)
    assert out.shape == tuple(theirs.compute_output_shape(x.shape))
    assert ours.compute_output_shape(x.shape) == out.shape


@pytest.mark.parametrize("kwargs", [{"window": "hamming", "periodic": True, "scaling": None},
                                    {"window": np.linspace(0, 1, 12).tolist(),
                                     "scaling": "spectrum", "frame_step": 12}])
def test_stft_windows_and_scaling_match_keras(keras_parity, kwargs):
    _, _, out = keras_parity("STFTSpectrogram", {"frame_length": 12, **kwargs}, _signal())
    assert out.shape[-1] == 3 * 9


def test_stft_real_part_is_the_windowed_dft_by_hand():
    x = np.random.default_rng(1).normal(size=(1, 8, 1)).astype("float32")
    layer = layers.STFTSpectrogram("real", frame_length=8, frame_step=8, window=np.ones(8),
                                   scaling=None)
    out = layer(x).detach().numpy()
    np.testing.assert_allclose(out[0, 0], np.fft.rfft(x[0, :, 0]).real, rtol=1e-5, atol=1e-5)
    assert [w.name for w in layer.weights] == ["real_kernel"]
    assert layer.count_params() == 8 * 5


def test_stft_weights_and_training_step():
    layer = layers.STFTSpectrogram(frame_length=8)
    layer(_signal())
    assert [(w.name, tuple(w.shape)) for w in layer.weights] == [
        ("real_kernel", (8, 1, 5)), ("imag_kernel", (8, 1, 5))]
    model = hocsau.Sequential([hocsau.Input((50, 3)), layers.STFTSpectrogram(frame_length=8),
                               layers.GlobalAveragePooling1D(), layers.Dense(1)])
    model.compile("sgd", "mse")
    before = model.layers[0].get_weights()[0].copy()
    model.fit(_signal(), np.ones((2, 1), "float32"), verbose=0)
    assert np.abs(model.layers[0].get_weights()[0] - before).max() > 0


MEL_CASES = [
    {"fft_length": 64, "sequence_stride": 16, "num_mel_bins": 10, "sampling_rate": 8000},
    {"fft_length": 64, "sequence_stride": 10, "sequence_length": 40, "window": "hamming",
     "power_to_db": False, "mag_exp": 1.0, "min_freq": 100.0, "max_freq": 3000,
     "sampling_rate": 8000, "num_mel_bins": 8},
    {"fft_length": 32, "sequence_stride": 8, "window": None, "top_db": 20.0,
     "ref_power": 2.0, "num_mel_bins": 6, "sampling_rate": 4000},
]


@pytest.mark.parametrize("kwargs", MEL_CASES)
@pytest.mark.parametrize("batched", [True, False])
def test_mel_spectrogram_matches_keras(kwargs, batched):
    x = np.random.default_rng(2).normal(size=(2, 300)).astype("float32")
    x = x if batched else x[0]
    theirs = keras.layers.MelSpectrogram(**kwargs)
    expected = keras.ops.convert_to_numpy(theirs(x))
    ours = layers.MelSpectrogram(**kwargs)
    out = ours(x).numpy()
    atol = 1e-5 * np.abs(expected).max()  # dB values cross zero
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=atol)
    assert out.shape == ours.compute_output_shape(x.shape)
    assert set(ours.get_config()) == set(theirs.get_config())
    assert ours.weights == []


def test_mel_decibels_floor_at_top_db_below_the_batch_maximum():
    x = np.random.default_rng(3).normal(size=(2, 256)).astype("float32")
    x[1] *= 1e-3
    out = layers.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=4,
                                sampling_rate=8000, top_db=30.0)(x).numpy()
    assert out.min() == pytest.approx(out.max() - 30.0, abs=1e-4)
    assert (out[1] == out.min()).mean() > 0.5


def test_configs_round_trip():
    stft = layers.STFTSpectrogram("psd", frame_length=12, fft_length=16, padding="same",
                                  expand_dims=True, name="spec")
    again = layers.STFTSpectrogram.from_config(stft.get_config())
    assert (again.mode, again.fft_length, again.padding, again.name) == (
        "psd", 16, "same", "spec")
    mel = layers.MelSpectrogram(fft_length=128, num_mel_bins=20, max_freq=None)
    config = mel.get_config()
    assert (config["sequence_length"], config["max_freq"]) == (128, 8000)
    assert layers.MelSpectrogram.from_config(config).num_mel_bins == 20


def _model(lib):
    L = lib.layers
    signal = lib.Input((64, 2))
    spectrum = L.STFTSpectrogram("magnitude", frame_length=16, frame_step=8)(signal)
    mel = L.MelSpectrogram(fft_length=32, sequence_stride=8, num_mel_bins=4,
                           sampling_rate=8000)(L.Flatten()(signal))
    return lib.Model(signal, L.concatenate([L.Flatten()(spectrum), L.Flatten()(mel)]))


def test_keras_files_cross_both_ways(tmp_path):
    x = np.random.default_rng(4).normal(size=(2, 64, 2)).astype("float32")
    ours = _model(hocsau)
    ours.save(tmp_path / "h.keras")
    theirs = keras.saving.load_model(tmp_path / "h.keras")
    expected = ours.predict(x, verbose=0)
    np.testing.assert_allclose(theirs.predict(x, verbose=0), expected, rtol=1e-5,
                               atol=1e-5 * np.abs(expected).max())
    native = _model(keras)
    native.save(tmp_path / "k.keras")
    loaded = hocsau.saving.load_model(tmp_path / "k.keras")
    expected = native.predict(x, verbose=0)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5,
                               atol=1e-5 * np.abs(expected).max())


def test_errors():
    with pytest.raises(ValueError, match="not greater than `frame_length`. Received frame_step=9"):
        layers.STFTSpectrogram(frame_length=8, frame_step=9)
    with pytest.raises(ValueError, match="Received fft_length=4, frame_length=8"):
        layers.STFTSpectrogram(frame_length=8, fft_length=4)
    with pytest.warns(UserWarning, match="power of two. Received fft_length=12"):
        layers.STFTSpectrogram(frame_length=8, fft_length=12)
    with pytest.raises(ValueError, match="Received: mode=power"):
        layers.STFTSpectrogram(mode="power")
    with pytest.raises(ValueError, match="Received scaling=sum"):
        layers.STFTSpectrogram(scaling="sum")
    with pytest.raises(ValueError, match="Received: padding=causal"):
        layers.STFTSpectrogram(padding="causal")
    with pytest.raises(ValueError, match="SciPy window.*Received: window='nope'"):
        layers.STFTSpectrogram(window="nope")
    with pytest.raises(TypeError, match="Expected `float16`, `float32` or `float64`"):
        layers.STFTSpectrogram(frame_length=8, dtype="int32")(
            torch.ones(1, 16, 1, dtype=torch.int32))
    with pytest.raises(ValueError, match="shorter than one frame. Received: time steps=4"):
        layers.STFTSpectrogram(frame_length=8)(hocsau.Input((4, 1)))
    with pytest.raises(ValueError, match="`sequence_length`=64, `fft_length`=32"):
        layers.MelSpectrogram(fft_length=32, sequence_length=64)
