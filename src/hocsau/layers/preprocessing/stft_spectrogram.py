"""`STFTSpectrogram`: short-time Fourier spectrograms computed by (trainable) convolutions.

    frames of each channel:  conv1d(x, [real_kernel | imag_kernel], stride=frame_step)
    mode:  real | imag | angle = atan2(imag, real) | stft = both, stacked along frequency
           psd = power with the inner bins doubled
           magnitude = sqrt(max(power, eps)),  log = log(max(magnitude, eps))

The kernels come from the `STFT` initializer (windowed DFT bases), so a fresh layer computes the
STFT and training can fine-tune it, as in Keras.
"""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F

from hocsau import config
from hocsau.initializers import STFT
from hocsau.initializers.stft import _named_window
from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.ops.nn_conv import same_padding
from hocsau.saving.serialization import keras_class
from hocsau.utils.argument_validation import standardize_data_format

_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


@keras_class("keras.layers")
class STFTSpectrogram(Layer):
    """Spectrogram of each channel of a signal (batch, time, channels), via the STFT.

    Output (channels_last): (batch, frames, channels * bins), or (batch, frames, bins,
    channels) with `expand_dims`; bins = fft_length // 2 + 1 (twice that for "stft").

    Args:
        mode: "log" (default), "magnitude", "psd", "real", "imag", "angle" or "stft".
        frame_length: samples per frame (the kernel size). frame_step: samples between frames
            (default `frame_length // 2`). fft_length: FFT size, >= frame_length (default: the
            next power of two).
        window: "hann", "hamming" (any SciPy window name) or an array of `frame_length` values.
        periodic: use the periodic form of a named window.
        scaling: "density" (default), "spectrum" or None: the window normalization.
        padding: "valid" or "same" (zero padding, the extra sample at the end).
        expand_dims: keep channels as their own axis (an image per signal).
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        _check_arguments(mode, frame_length, frame_step, fft_length, scaling, padding)
        if isinstance(window, str):  # an unknown name fails here, not at build
            try:
                _named_window(window, 1, periodic)
            except ValueError as error:
                raise ValueError(f"`window` should name a SciPy window ({error}). Received: "
                                 f"window={window!r}") from error
        super().__init__(**kwargs)
        self.mode, self.frame_length, self.frame_step = mode, frame_length, frame_step
        self.fft_length, self.window, self.periodic = fft_length, window, periodic
        self.scaling, self.padding, self.expand_dims = scaling, padding, expand_dims
        self.data_format = standardize_data_format(data_format)
        self._frame_step = frame_step or frame_length // 2
        self._fft_length = fft_length or 2 ** math.ceil(math.log2(frame_length))
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        left_out = {"real": "imag", "imag": "real"}.get(self.mode)  # the side a mode never uses
        for side in ("real", "imag"):
            if side != left_out:
                setattr(self, f"{side}_kernel", self.add_weight(
                    name=f"{side}_kernel", shape=shape,
                    initializer=STFT(side, self.window, self.scaling, self.periodic)))
        self.built = True

    def call(self, inputs):
        if inputs.dtype not in (torch.float16, torch.float32, torch.float64):
            raise TypeError("Invalid input type. Expected `float16`, `float32` or `float64`. "
                            f"Received: input type={inputs.dtype}")
        real, imag = self._transform(inputs)
        if self.mode in ("real", "imag"):
            return self._layout(real if self.mode == "real" else imag)
        if self.mode == "angle":
            return self._layout(torch.atan2(imag, real))
        if self.mode == "stft":
            return self._layout(torch.cat([real, imag], dim=2))
        power = real.square() + imag.square()
        if self.mode == "psd":
            return self._layout(power + F.pad(power[:, :, 1:-1], (0, 0, 1, 1)))
        epsilon = config.epsilon()
        magnitude = self._layout(torch.sqrt(torch.clamp(power, min=epsilon)))
        return magnitude if self.mode == "magnitude" else torch.log(
            torch.clamp(magnitude, min=epsilon))

    def _transform(self, inputs):
        """(real, imag), each (batch, channels, bins, frames); None where the mode needs none."""
        batch, time = inputs.shape[0], inputs.shape[1 if self.data_format == "channels_last" else 2]
        signals = inputs.transpose(1, 2) if self.data_format == "channels_last" else inputs
        x = signals.reshape(-1, 1, time)
        if self.padding == "same":
            pads = same_padding((time,), (self.frame_length,), (self._frame_step,), (1,))
            x = F.pad(x, pads[0])
        kernels = [getattr(self, f"{side}_kernel", None) for side in ("real", "imag")]
        present = [k for k in kernels if k is not None]
        weight = torch.cat(present, dim=-1).permute(2, 1, 0).to(x.dtype)
        out = F.conv1d(x, weight, stride=self._frame_step)
        out = out.reshape(batch, -1, out.shape[1], out.shape[2])
        parts = iter(out.chunk(len(present), dim=2))
        return tuple(next(parts) if k is not None else None for k in kernels)

    def _layout(self, outputs):
        """(batch, channels, bins, frames) in the layer's output layout."""
        batch, channels, bins, frames = outputs.shape
        if self.expand_dims:
            return outputs.permute(0, 3, 2, 1) if self.data_format == "channels_last" else (
                outputs.transpose(2, 3))
        flat = outputs.reshape(batch, channels * bins, frames)
        return flat.transpose(1, 2) if self.data_format == "channels_last" else flat

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        batch, time, channels = (input_shape if last else (
            input_shape[0], input_shape[2], input_shape[1]))
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        frames = self._frames(time)
        if self.expand_dims:
            return (batch, frames, bins, channels) if last else (batch, channels, frames, bins)
        features = None if channels is None else channels * bins
        return (batch, frames, features) if last else (batch, features, frames)

    def _frames(self, time):
        if time is None:
            return None
        if self.padding == "same":
            return -(-time // self._frame_step)
        frames = (time - self.frame_length) // self._frame_step + 1
        if frames <= 0:
            raise ValueError(f"The signal of layer '{self.name}' is shorter than one frame. "
                             f"Received: time steps={time}, frame_length={self.frame_length}")
        return frames

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.update({"mode": self.mode, "frame_length": self.frame_length,
                        "frame_step": self.frame_step, "fft_length": self.fft_length,
                        "window": self.window, "periodic": self.periodic,
                        "scaling": self.scaling, "padding": self.padding,
                        "data_format": self.data_format, "expand_dims": self.expand_dims})
        return config_


def _check_arguments(mode, frame_length, frame_step, fft_length, scaling, padding) -> None:
    if frame_step is not None and (frame_step > frame_length or frame_step < 1):
        raise ValueError("`frame_step` should be a positive integer not greater than "
                         f"`frame_length`. Received frame_step={frame_step}, "
                         f"frame_length={frame_length}")
    if fft_length is not None and fft_length < frame_length:
        raise ValueError("`fft_length` should be not less than `frame_length`. "
                         f"Received fft_length={fft_length}, frame_length={frame_length}")
    if fft_length is not None and (fft_length & -fft_length) != fft_length:
        warnings.warn("`fft_length` is recommended to be a power of two. "
                      f"Received fft_length={fft_length}", stacklevel=3)
    if mode not in _MODES:
        raise ValueError(f"Output mode is invalid, it must be one of {', '.join(_MODES)}. "
                         f"Received: mode={mode}")
    if scaling not in (None, "density", "spectrum"):
        raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                         f"Received scaling={scaling}")
    if padding not in ("valid", "same"):
        raise ValueError(f"Padding is invalid, it should be 'valid', 'same'. "
                         f"Received: padding={padding}")
