"""`STFT`: convolution kernels computing a short-time Fourier transform."""

from __future__ import annotations

import torch

from hocsau.config import torch_dtype
from hocsau.initializers.initializer import Initializer
from hocsau.saving.serialization import keras_class


@keras_class("keras.initializers")
class STFT(Initializer):
    """Real or imaginary DFT kernels of shape `(frame_length, 1, fft_length // 2 + 1)`.

    Used by the `STFTSpectrogram` layer. A named window comes from `scipy.signal.windows`
    (so needs SciPy); an array gives the window values directly.

    Args:
        side: "real" (cosine kernels) or "imag" (sine kernels).
        window: A window name ("hann", "hamming", ...), an array of `frame_length` values,
            or None for no window.
        scaling: "density" (divide by the window's L2 norm), "spectrum" (by its L1 norm)
            or None.
        periodic: Use the periodic form of a named window.
    """

    def __init__(self, side: str = "real", window="hann", scaling: str | None = "density",
                 periodic: bool = False):
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag'. Received: side={side!r}")
        if isinstance(window, str):
            _named_window(window, 1, periodic)  # fails early on an unknown name
        if scaling not in (None, "density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received: scaling={scaling!r}")
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        frame_length, _, fft_length = shape
        dtype = torch_dtype(dtype)
        freq = torch.arange(fft_length, dtype=dtype).reshape(1, 1, -1) / ((fft_length - 1) * 2)
        time = torch.arange(frame_length, dtype=dtype).reshape(-1, 1, 1)
        angle = (-2 * time) * freq * torch.arccos(torch.tensor(-1, dtype=dtype))
        kernel = torch.cos(angle) if self.side == "real" else torch.sin(angle)
        if self.window is None:
            return kernel
        window = self._window_values(frame_length, dtype).reshape(-1, 1, 1)
        if self.scaling == "density":
            return kernel * window / torch.sqrt(torch.sum(window**2))
        if self.scaling == "spectrum":
            return kernel * window / torch.sum(torch.abs(window))
        return kernel * window

    def _window_values(self, frame_length: int, dtype: torch.dtype) -> torch.Tensor:
        window = self.window
        if isinstance(window, str):
            window = _named_window(window, frame_length, self.periodic)
        window = torch.as_tensor(window, dtype=dtype)
        if window.shape != (frame_length,):
            raise ValueError(f"The shape of `window` must be equal to [frame_length]. "
                             f"Received: window shape={tuple(window.shape)}")
        return window

    def get_config(self) -> dict:
        return {"side": self.side, "window": self.window, "periodic": self.periodic,
                "scaling": self.scaling}


def _named_window(name: str, length: int, periodic: bool):
    try:
        from scipy.signal import get_window
    except ImportError as error:
        raise ImportError(f"The STFT initializer needs SciPy for the named window {name!r}; "
                          "install scipy or pass the window values as an array.") from error
    return get_window(name, length, fftbins=periodic)
