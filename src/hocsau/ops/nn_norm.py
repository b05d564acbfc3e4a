"""Encodings, statistics, normalizations and attention of Keras's `ops.nn`."""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F

from hocsau import config
from hocsau.ops._convert import axes as _axes
from hocsau.ops._convert import floating, floats, tensor, tensors
from hocsau.ops.dispatch import op


@op
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False) -> torch.Tensor:
    """One-hot encoding of integer `x`; entries outside [0, num_classes) give all-zero
    vectors, as on TensorFlow and JAX (torch's own one_hot raises for them).

    Args:
        axis: where the class axis goes in the output (default last).
        dtype: the output dtype (default `floatx()`).
    """
    if sparse:
        raise ValueError("hocsau tensors are dense: `sparse=True` is not supported.")
    x, num_classes = tensor(x).long(), int(num_classes)
    valid = (x >= 0) & (x < num_classes)
    encoded = F.one_hot(x.clamp(0, num_classes - 1), num_classes) * valid.unsqueeze(-1)
    encoded = encoded.to(config.torch_dtype(dtype or config.floatx()))
    return encoded if axis == -1 else encoded.movedim(-1, axis)


@op
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False,
              **kwargs) -> torch.Tensor:
    """Multi-hot encoding: 1 for every class present in each row of integer `inputs`.

    `num_tokens` is accepted as an alias of `num_classes`.
    """
    num_classes = kwargs.pop("num_tokens", num_classes)
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be specified.")
    inputs = tensor(inputs)
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return torch.amax(encoded, dim=1 if inputs.ndim > 1 else 0)


@op
def moments(x, axes, keepdims=False, synchronized=False) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and (population) variance of `x` over `axes`.

    Half-precision inputs are reduced in float32. With `synchronized=True` inside an initialized
    `torch.distributed` process group the statistics cover all processes.
    """
    x = floating(x)
    dtype = x.dtype
    if dtype in (torch.float16, torch.bfloat16):
        x = x.float()
    dims = _axes(axes, x.ndim)
    if synchronized and torch.distributed.is_available() and torch.distributed.is_initialized():
        mean, variance = _global_moments(x, dims)
        if not keepdims:
            mean, variance = mean.squeeze(dims), variance.squeeze(dims)
    else:
        variance, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=keepdims)
    if dtype != x.dtype:
        limit = torch.finfo(dtype).max
        mean = mean.clamp(-limit, limit).to(dtype)
        variance = variance.clamp(-limit, limit).to(dtype)
    return mean, variance


def _global_moments(x: torch.Tensor, dims) -> tuple[torch.Tensor, torch.Tensor]:
    from torch.distributed.nn.functional import all_reduce

    count = torch.tensor(float(math.prod(x.shape[d] for d in dims)), device=x.device)
    stats = torch.stack([x.sum(dim=dims, keepdim=True), (x * x).sum(dim=dims, keepdim=True)])
    # The autograd-aware all-reduce: its backward sums the statistics' gradients over the
    # processes, so every input gets the gradient of the global statistics.
    stats = all_reduce(stats)
    torch.distributed.all_reduce(count)
    mean = stats[0] / count
    return mean, stats[1] / count - mean * mean


def _along(value, axis: int, ndim: int, like: torch.Tensor) -> torch.Tensor:
    shape = [1] * ndim
    shape[axis] = -1
    return tensor(value, like.dtype, device=like.device).reshape(shape)


@op
def batch_normalization(x, mean, variance, axis, offset=None, scale=None,
                        epsilon=0.001) -> torch.Tensor:
    """`(x - mean) / sqrt(variance + epsilon) * scale + offset`, statistics along `axis`."""
    x = floating(x)
    inv = torch.rsqrt(_along(variance, axis, x.ndim, x) + epsilon)
    if scale is not None:
        inv = inv * _along(scale, axis, x.ndim, x)
    out = (x - _along(mean, axis, x.ndim, x)) * inv
    return out if offset is None else out + _along(offset, axis, x.ndim, x)


@op
def normalize(x, axis=-1, order=2, epsilon=None) -> torch.Tensor:
    """`x` divided by its `order`-norm along `axis` (the norm floored at `epsilon`)."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = floating(x)
    if x.ndim == 0:
        x = x.reshape(1)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        square_sum = torch.sum(x * x, dim=axis, keepdim=True)
        return x * torch.clamp(torch.rsqrt(square_sum), max=1.0 / epsilon)
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(norm, min=epsilon)


def _trailing(dims: tuple[int, ...], ndim: int) -> bool:
    return sorted(dims) == list(range(ndim - len(dims), ndim))


def _compute_dtype(x: torch.Tensor) -> torch.dtype:
    return torch.promote_types(x.dtype, torch.float32)


@op
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None,
                        **kwargs) -> torch.Tensor:
    """Normalize `x` to zero mean and unit variance over `axis`, then scale and shift.

    Computed in at least float32; `gamma` / `beta` have the shape of the normalized axes.
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if rms_scaling:
        warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                      "incorrectly scales the input by the variance, not the root mean square. "
                      "To correctly use RMS Normalization, please use `rms_normalization` "
                      "instead.", stacklevel=2)
    x = floating(x)
    dtype, x = x.dtype, x.to(_compute_dtype(x))
    epsilon = config.epsilon() if epsilon is None else epsilon
    dims = _axes(axis, x.ndim)
    shape = [x.shape[d] if d in dims else 1 for d in range(x.ndim)]
    gamma, beta = (None if v is None else tensor(v, x.dtype, device=x.device)
                   for v in (gamma, beta))
    if _trailing(dims, x.ndim) and not rms_scaling:
        normalized = tuple(x.shape[d] for d in sorted(dims))
        gamma, beta = (None if v is None else v.reshape(normalized) for v in (gamma, beta))
        return F.layer_norm(x, normalized, gamma, beta, epsilon).to(dtype)
    variance, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=True)
    out = (x if rms_scaling else x - mean) * torch.rsqrt(variance + epsilon)
    if gamma is not None:
        out = out * gamma.reshape(shape)
    if beta is not None and not rms_scaling:
        out = out + beta.reshape(shape)
    return out.to(dtype)


@op
def rms_normalization(x, scale=None, axis=-1, epsilon=None) -> torch.Tensor:
    """`x / sqrt(mean(x**2) + epsilon) * scale` over `axis`, computed in at least float32."""
    x = floating(x)
    dtype, x = x.dtype, x.to(_compute_dtype(x))
    epsilon = config.epsilon() if epsilon is None else epsilon
    dims = _axes(axis, x.ndim)
    if scale is not None:
        scale = tensor(scale, x.dtype, device=x.device)
    if _trailing(dims, x.ndim):
        normalized = tuple(x.shape[d] for d in sorted(dims))
        weight = None if scale is None else scale.reshape(normalized)
        return F.rms_norm(x, normalized, weight, epsilon).to(dtype)
    out = x * torch.rsqrt(torch.mean(x * x, dim=dims, keepdim=True) + epsilon)
    if scale is not None:
        out = out * scale.reshape([x.shape[d] if d in dims else 1 for d in range(x.ndim)])
    return out.to(dtype)


def _large_negative(dtype: torch.dtype) -> float:
    return -0.7 * (65500.0 if dtype == torch.float16 else 3.38953e38)


@op
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None) -> torch.Tensor:
    """Scaled dot-product attention on `(batch, length, heads, head_dim)` tensors.

    Args:
        bias: added to the logits (broadcastable to `(batch, heads, q_len, kv_len)`).
        mask: boolean, True where attention is allowed; masked logits get a large negative
            value. Only one of `bias` and `mask` may be given.
        scale: logit scale (default `1 / sqrt(head_dim)`).
        is_causal: also mask future positions.
        flash_attention: True requires PyTorch's flash kernel; False excludes it.
        attn_logits_soft_cap: if set, logits become `cap * tanh(logits / cap)`.
    Key / value heads are repeated when there are fewer of them than query heads (GQA).
    """
    query, key, value = tensors(query, key, value)
    if query.ndim != 4 or key.ndim != 4 or value.ndim != 4:
        raise ValueError("`dot_product_attention` only supports 4D inputs. Received: "
                         f"query.shape={tuple(query.shape)}, key.shape={tuple(key.shape)}, "
                         f"value.shape={tuple(value.shape)}.")
    if bias is not None and mask is not None:
        raise ValueError("Only one of `bias` and `mask` can be provided. Received both.")
    dtype = torch.promote_types(torch.promote_types(query.dtype, key.dtype), value.dtype)
    q, k, v = (t.to(dtype).transpose(1, 2) for t in (query, key, value))
    if q.shape[1] > k.shape[1] > 1:
        k = k.repeat_interleave(q.shape[1] // k.shape[1], dim=1)
        v = v.repeat_interleave(q.shape[1] // v.shape[1], dim=1)
    additive = None if bias is None else tensor(bias, dtype, device=q.device)
    if mask is not None or (is_causal and attn_logits_soft_cap is not None):
        allowed = torch.ones((), dtype=torch.bool, device=q.device) if mask is None else \
            tensor(mask, device=q.device).to(torch.bool)
        if is_causal:
            allowed = allowed & torch.ones(q.shape[2], k.shape[2], dtype=torch.bool,
                                           device=q.device).tril()
        is_causal = False
        additive = torch.where(allowed, 0.0, _large_negative(dtype)).to(dtype)
    if attn_logits_soft_cap is not None:
        scale = q.shape[-1] ** -0.5 if scale is None else scale
        logits = torch.matmul(q, k.transpose(-1, -2)) * scale
        logits = attn_logits_soft_cap * torch.tanh(logits / attn_logits_soft_cap)
        if additive is not None:
            logits = logits + additive
        out = torch.matmul(torch.softmax(logits, dim=-1), v)
    else:
        out = _sdpa(q, k, v, additive, is_causal, scale, flash_attention)
    return out.transpose(1, 2)


def _sdpa(q, k, v, additive, is_causal, scale, flash_attention) -> torch.Tensor:
    from torch.nn.attention import SDPBackend, sdpa_kernel

    def attend():
        return F.scaled_dot_product_attention(q.contiguous(), k.contiguous(), v.contiguous(),
                                              attn_mask=additive, is_causal=is_causal,
                                              scale=scale)

    if flash_attention is None:
        return attend()
    if flash_attention:
        backends = [SDPBackend.FLASH_ATTENTION]
    else:
        backends = [SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH]
    with sdpa_kernel(backends):
        return attend()


@op
def polar(abs_, angle) -> torch.Tensor:
    """The complex tensor `abs_ * (cos(angle) + i sin(angle))`."""
    return torch.polar(*floats(abs_, angle))
