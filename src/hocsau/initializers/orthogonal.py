"""`Orthogonal`: a random orthogonal matrix (or a tensor reshaped from one)."""

from __future__ import annotations

import math

import torch

from hocsau.config import torch_dtype
from hocsau.initializers import _sampling
from hocsau.initializers.random import RandomInitializer
from hocsau.saving.serialization import keras_class


@keras_class("keras.initializers")
class Orthogonal(RandomInitializer):
    """`gain` times an orthogonal matrix, from the QR decomposition of normal draws.

    A shape `(d0, ..., dn-1, dn)` is treated as a `(d0 * ... * dn-1, dn)` matrix and
    reshaped back; rows are orthonormal when there are fewer rows than columns, else columns.

    Args:
        gain: Factor applied to the orthogonal matrix.
        seed: Integer seed, or None for torch's global generator.
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        dtype = torch_dtype(dtype)
        draws = _sampling.normal((max(rows, cols), min(rows, cols)), 0.0, 1.0, dtype, self.seed)
        # QR has no half-precision kernel: factorize in float32 and cast back.
        work = draws if dtype in (torch.float32, torch.float64) else draws.float()
        q, r = torch.linalg.qr(work)
        q = q * torch.sign(torch.diagonal(r))  # a unique Q: the diagonal of R made positive
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).to(dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "gain": self.gain}
