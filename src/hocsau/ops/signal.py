"""Short-time Fourier transforms (`stft`, `istft`), with Keras's framing and windows."""

from __future__ import annotations

import torch

from hocsau.ops._convert import tensor
from hocsau.ops.dispatch import op
from hocsau.ops.math import _complex


def _window(window, length: int, dtype: torch.dtype, device) -> torch.Tensor | None:
    if window is None:
        return None
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError("If a string is passed to `window`, it must be one of 'hann', "
                             f"'hamming'. Received: window={window!r}")
        make = torch.hann_window if window == "hann" else torch.hamming_window
        return make(length, periodic=True, dtype=dtype, device=device)
    window = tensor(window, dtype, device=device)
    if window.shape != (length,):
        raise ValueError("The shape of `window` must be equal to [sequence_length]. "
                         f"Received: window shape={tuple(window.shape)}")
    return window


@op
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform along the last axis of real `x`.

    Args:
        sequence_length: frame length; sequence_stride: hop between frames.
        fft_length: FFT size (>= `sequence_length`; frames are zero-padded, centered).
        window: 'hann', 'hamming' (periodic), a tensor of `sequence_length`, or None.
        center: reflect-pad `x` so that frame t is centered at `t * sequence_stride`.

    Returns:
        `(real, imag)`, each of shape `(..., frames, fft_length // 2 + 1)`.
    """
    x = tensor(x)
    if x.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"Invalid input type. Expected `float32` or `float64`. Received: "
                        f"input type={x.dtype}")
    if fft_length < sequence_length:
        raise ValueError("`fft_length` must equal or larger than `sequence_length`. Received: "
                         f"sequence_length={sequence_length}, fft_length={fft_length}")
    window = _window(window, sequence_length, x.dtype, x.device)
    if window is None:
        window = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
    batch = x.shape[:-1]
    spectrum = torch.stft(x.reshape(-1, x.shape[-1]), n_fft=fft_length, hop_length=sequence_stride,
                          win_length=sequence_length, window=window, center=center,
                          return_complex=True)
    spectrum = spectrum.reshape(batch + spectrum.shape[-2:]).transpose(-2, -1)
    return spectrum.real, spectrum.imag


def _overlap_add(frames: torch.Tensor, stride: int) -> torch.Tensor:
    """Sum frames `(..., n, length)` placed every `stride` samples."""
    *batch, count, length = frames.shape
    size = stride * (count - 1) + length
    columns = frames.reshape(-1, count, length).transpose(1, 2)
    out = torch.nn.functional.fold(columns, (1, size), (1, length), stride=(1, stride))
    return out.reshape(*batch, size)


@op
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True) -> torch.Tensor:
    """Inverse of `stft`: a real signal from `x = (real, imag)` of shape `(..., frames, bins)`.

    Args:
        length: trim or pad the output to this many samples.
        (the others as for `stft`).
    """
    spectrum = _complex(x)
    dtype = spectrum.real.dtype
    window = _window(window, sequence_length, dtype, spectrum.device)
    if sequence_length == fft_length and center and window is not None:
        batch = spectrum.shape[:-2]
        flat = spectrum.reshape((-1,) + spectrum.shape[-2:]).transpose(-2, -1)
        out = torch.istft(flat, n_fft=fft_length, hop_length=sequence_stride,
                          win_length=sequence_length, window=window, center=True, length=length)
        return out.reshape(batch + out.shape[-1:])
    frames = torch.fft.irfft(spectrum, n=fft_length, dim=-1)
    if window is not None:
        left = (fft_length - sequence_length) // 2
        window = torch.nn.functional.pad(window, (left, fft_length - sequence_length - left))
        # Divide by the overlap-added squared window, periodic with the hop (TF's rule).
        overlaps = -(-fft_length // sequence_stride)
        squares = torch.nn.functional.pad(window.square(),
                                          (0, overlaps * sequence_stride - fft_length))
        envelope = squares.reshape(overlaps, sequence_stride).sum(0).repeat(overlaps)
        frames = frames * (window / envelope[:fft_length])
    signal = _overlap_add(frames, sequence_stride)
    start = fft_length // 2 if center else 0
    if length is not None:
        return signal[..., start:start + length]
    return signal[..., start:signal.shape[-1] - start]
