"""Keras's `ops.math`: segment reductions, top-k, log-sum-exp, distances and Fourier transforms.

Complex values cross the API as `(real, imag)` pairs of float tensors, as in Keras.
"""

from __future__ import annotations

import torch

from hocsau.ops._convert import floating, tensor, tensors
from hocsau.ops.dispatch import op
from hocsau.ops.numpy_unary import _float_op

rsqrt = _float_op("rsqrt", torch.rsqrt, "Element-wise `1 / sqrt(x)`.")
erf = _float_op("erf", torch.erf, "Element-wise Gauss error function.")
erfc = _float_op("erfc", torch.erfc, "Element-wise complementary error function, `1 - erf(x)`.")
erfinv = _float_op("erfinv", torch.erfinv, "Element-wise inverse error function.")

_SEGMENT_START = {"sum": 0.0, "prod": 1.0, "amax": float("-inf"), "amin": float("inf")}


def _segment(data, segment_ids, num_segments, reduce: str) -> torch.Tensor:
    data = tensor(data)
    ids = tensor(segment_ids, device=data.device).long()
    if num_segments is None:
        num_segments = int(ids.max()) + 1 if ids.numel() else 0
    # Out-of-range ids (e.g. -1) go to an extra segment that is dropped at the end.
    ids = torch.where((ids >= 0) & (ids < num_segments), ids, num_segments)
    index = ids.reshape((-1,) + (1,) * (data.ndim - 1)).expand(data.shape)
    out = torch.full((num_segments + 1,) + tuple(data.shape[1:]), _SEGMENT_START[reduce],
                     dtype=torch.promote_types(data.dtype, torch.float32), device=data.device)
    out = out.scatter_reduce(0, index, data.to(out.dtype), reduce)
    return out[:-1].to(data.dtype)


def _segment_op(name: str, reduce: str, summary: str):
    def fn(data, segment_ids, num_segments=None, sorted=False):
        return _segment(data, segment_ids, num_segments, reduce)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"{summary} of the rows of `data` sharing a segment id.\n\n    Args:\n"
                  "        data: tensor whose first axis matches `segment_ids`.\n"
                  "        segment_ids: int tensor of segment ids; ids outside "
                  "`[0, num_segments)` are dropped.\n"
                  "        num_segments: number of segments (default: max id + 1).\n"
                  "        sorted: accepted for Keras compatibility; ids need not be sorted.\n")
    return op(fn)


segment_sum = _segment_op("segment_sum", "sum", "Sum")
segment_prod = _segment_op("segment_prod", "prod", "Product")
segment_max = _segment_op("segment_max", "amax", "Maximum")
segment_min = _segment_op("segment_min", "amin", "Minimum")


@op
def top_k(x, k, sorted=True) -> tuple[torch.Tensor, torch.Tensor]:
    """The `k` largest values along the last axis and their indices (int32)."""
    values, indices = torch.topk(tensor(x), int(k), dim=-1, sorted=sorted)
    return values, indices.to(torch.int32)


@op
def in_top_k(targets, predictions, k) -> torch.Tensor:
    """Whether each target class is among the `k` highest predictions of its row (ties count)."""
    predictions = tensor(predictions)
    targets = tensor(targets, device=predictions.device).long().reshape(-1, 1)
    kth_largest = torch.topk(predictions, int(k), dim=-1).values[:, -1:]
    return (torch.take_along_dim(predictions, targets, dim=-1) >= kth_largest).reshape(-1)


@op
def logsumexp(x, axis=None, keepdims=False) -> torch.Tensor:
    """`log(sum(exp(x)))` over `axis`, computed stably."""
    x = floating(x)
    dims = tuple(range(x.ndim)) if axis is None else axis
    return torch.logsumexp(x, dim=dims, keepdim=keepdims)


@op
def cdist(x, y) -> torch.Tensor:
    """Euclidean distances between the rows of `x` (..., n, d) and `y` (..., m, d)."""
    x, y = tensors(x, y)
    if x.ndim < 2 or y.ndim < 2 or x.shape[-1] != y.shape[-1]:
        raise ValueError("`cdist` inputs must have rank >= 2 and the same last dimension. "
                         f"Received: x.shape={tuple(x.shape)}, y.shape={tuple(y.shape)}")
    difference = x.unsqueeze(-2) - y.unsqueeze(-3)
    return torch.sqrt(torch.sum(difference * difference, dim=-1))


@op
def extract_sequences(x, sequence_length, sequence_stride) -> torch.Tensor:
    """Frames of `sequence_length` taken every `sequence_stride` along the last axis."""
    return tensor(x).unfold(-1, int(sequence_length), int(sequence_stride)).contiguous()


def _complex(x) -> torch.Tensor:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary. "
                         f"Received: x={x}")
    real, imag = tensors(*x)
    if real.shape != imag.shape:
        raise ValueError("The real and imaginary parts must have the same shape. Received: "
                         f"{tuple(real.shape)} and {tuple(imag.shape)}")
    if not (real.is_floating_point() and imag.is_floating_point()):
        raise ValueError(f"The real and imaginary parts must be floats. Received: x={x}")
    return torch.complex(real, imag)


def _pair(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return z.real, z.imag


@op
def fft(x) -> tuple[torch.Tensor, torch.Tensor]:
    """Fourier transform over the last axis of `x = (real, imag)`."""
    return _pair(torch.fft.fft(_complex(x)))


@op
def fft2(x) -> tuple[torch.Tensor, torch.Tensor]:
    """2-D Fourier transform over the last two axes of `x = (real, imag)`."""
    return _pair(torch.fft.fft2(_complex(x)))


@op
def ifft2(x) -> tuple[torch.Tensor, torch.Tensor]:
    """Inverse 2-D Fourier transform over the last two axes of `x = (real, imag)`."""
    return _pair(torch.fft.ifft2(_complex(x)))


@op
def rfft(x, fft_length=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Fourier transform of real `x` over its last axis: the `fft_length // 2 + 1` bins."""
    return _pair(torch.fft.rfft(floating(x), n=fft_length, dim=-1))


@op
def irfft(x, fft_length=None) -> torch.Tensor:
    """Inverse of `rfft`: a real signal of `fft_length` samples from `x = (real, imag)`."""
    return torch.fft.irfft(_complex(x), n=fft_length, dim=-1)


@op
def logdet(x) -> torch.Tensor:
    """Log-determinant of (batched) square matrices."""
    return torch.logdet(floating(x))


@op
def view_as_complex(x) -> torch.Tensor:
    """A complex tensor from `x` whose last axis (size 2) holds real and imaginary parts."""
    x = floating(x)
    if x.shape[-1] != 2:
        raise ValueError(f"The last axis of `x` must have size 2. Received: x.shape={x.shape}")
    return torch.view_as_complex(x.contiguous())


@op
def view_as_real(x) -> torch.Tensor:
    """A real tensor with a last axis of size 2 holding the parts of complex `x`."""
    return torch.view_as_real(tensor(x))
