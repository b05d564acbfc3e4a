"""`MelSpectrogram`: a signal's power spectrum on the mel scale, in decibels by default.

    |stft(x)| ** mag_exp  ->  @ mel filterbank (HTK triangles, peak 1)  ->  dB, floored at
    (largest value of the whole batch - top_db)  ->  (batch, num_mel_bins, frames)
"""

from __future__ import annotations

import torch

from hocsau.layers.layer import Layer
from hocsau.ops.signal import stft
from hocsau.saving.serialization import keras_class

_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


@keras_class("keras.layers")
class MelSpectrogram(Layer):
    """Mel spectrogram of audio signals (batch, samples) or a single signal (samples,).

    Frames are centered (the signal is reflect-padded), so a signal of n samples gives
    1 + n // sequence_stride frames.

    Args:
        fft_length: FFT size. sequence_stride: samples between frames. sequence_length: frame
            length (default `fft_length`, at most `fft_length`). window: "hann", "hamming",
            or None.
        sampling_rate: samples per second. num_mel_bins: mel bands. min_freq / max_freq: edges
            of the lowest and highest bands in Hz (max_freq defaults to sampling_rate / 2).
        power_to_db: convert to decibels: 10 log10(max(S, min_power) / max(|ref_power|,
            min_power)), floored at top_db below the batch's maximum.
        mag_exp: exponent of the STFT magnitude (2: power spectrum).
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None,
                 window="hann", sampling_rate=16000, num_mel_bins=128, min_freq=20.0,
                 max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10,
                 ref_power=1.0, **kwargs):
        self.sequence_length = sequence_length or fft_length
        if fft_length < self.sequence_length:
            raise ValueError("`fft_length` must be greater than or equal to `sequence_length`. "
                             f"Received: `sequence_length`={self.sequence_length}, "
                             f"`fft_length`={fft_length}.")
        super().__init__(**kwargs)
        self.fft_length, self.sequence_stride, self.window = fft_length, sequence_stride, window
        self.sampling_rate, self.num_mel_bins = sampling_rate, num_mel_bins
        self.min_freq, self.max_freq = min_freq, max_freq or int(sampling_rate / 2)
        self.power_to_db, self.top_db, self.mag_exp = power_to_db, top_db, mag_exp
        self.min_power, self.ref_power = min_power, ref_power
        self.built = True

    def call(self, inputs):
        compute = self._dtype_policy.torch_compute_dtype
        dtype = compute if compute in (torch.float32, torch.float64) else torch.float32
        real, imag = stft.__wrapped__(inputs.to(dtype), self.sequence_length,
                                      self.sequence_stride, self.fft_length,
                                      window=self.window, center=True)
        spectrum = torch.sqrt(real.square() + imag.square()) ** self.mag_exp
        mel = torch.tensordot(spectrum, self._mel_matrix(spectrum.shape[-1], inputs.device),
                              dims=1)
        if self.power_to_db:
            mel = self._decibels(mel)
        return mel.transpose(-1, -2).to(compute)

    def _mel_matrix(self, spectrogram_bins: int, device) -> torch.Tensor:
        """(spectrogram_bins, num_mel_bins) HTK triangles; the DC bin maps to nothing."""
        frequencies = torch.linspace(0.0, self.sampling_rate / 2.0, spectrogram_bins,
                                     device=device)[1:]
        bins_mel = _hertz_to_mel(frequencies)[:, None]
        edges = torch.linspace(float(_hertz_to_mel(torch.tensor(float(self.min_freq)))),
                               float(_hertz_to_mel(torch.tensor(float(self.max_freq)))),
                               self.num_mel_bins + 2, device=device)
        lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
        rising = (bins_mel - lower) / (center - lower)
        falling = (upper - bins_mel) / (upper - center)
        weights = torch.clamp(torch.minimum(rising, falling), min=0.0)
        return torch.nn.functional.pad(weights, (0, 0, 1, 0))

    def _decibels(self, power: torch.Tensor) -> torch.Tensor:
        log_spec = 10.0 * torch.log10(torch.clamp(power, min=self.min_power))
        reference = torch.tensor(abs(self.ref_power), dtype=power.dtype, device=power.device)
        log_spec = log_spec - 10.0 * torch.log10(torch.clamp(reference, min=self.min_power))
        return torch.maximum(log_spec, log_spec.max() - self.top_db)

    def compute_output_shape(self, input_shape):
        samples = input_shape[-1]
        frames = None if samples is None else 1 + samples // self.sequence_stride
        if len(input_shape) == 1:
            return (self.num_mel_bins, frames)
        return (input_shape[0], self.num_mel_bins, frames)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
                       "sequence_length": self.sequence_length, "window": self.window,
                       "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                       "min_freq": self.min_freq, "max_freq": self.max_freq,
                       "power_to_db": self.power_to_db, "top_db": self.top_db,
                       "mag_exp": self.mag_exp, "min_power": self.min_power,
                       "ref_power": self.ref_power})
        return config


def _hertz_to_mel(frequencies: torch.Tensor) -> torch.Tensor:
    return _MEL_HIGH_FREQUENCY_Q * torch.log(1.0 + frequencies / _MEL_BREAK_FREQUENCY_HERTZ)
