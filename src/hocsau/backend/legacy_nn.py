"""tf.keras 2's `keras.backend` neural-network functions (`K.dot`, `K.batch_dot`,
`K.softmax`, `K.categorical_crossentropy`, `K.conv2d`, ...): a hocsau extension, following
TensorFlow's semantics as `keras.src.legacy.backend` defines them."""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F

from hocsau import config, ops
from hocsau.backend.legacy_array import _data_format
from hocsau.ops._convert import floats, tensor
from hocsau.ops.dispatch import op


@op
def dot(x, y):
    """Matrix product over the last axis of `x` and the second-to-last of `y` (the last one
    when `y` is a vector, as Theano's `dot`): shape `x[:-1] + y[:-2] + y[-1:]`."""
    x, y = floats(x, y)
    if y.dim() == 1:
        return torch.tensordot(x, y, dims=([x.dim() - 1], [0]))
    if x.dim() <= 2 and y.dim() <= 2:
        return torch.matmul(x, y)
    order = [y.dim() - 2] + [d for d in range(y.dim()) if d != y.dim() - 2]
    flat_y = y.permute(*order).reshape(y.shape[-2], -1)
    out = torch.matmul(x.reshape(-1, x.shape[-1]), flat_y)
    return out.reshape(*x.shape[:-1], *y.shape[:-2], y.shape[-1])


def _batch_dot_axes(axes, x_ndim: int, y_ndim: int) -> list[int]:
    if isinstance(axes, int):
        axes = [axes, axes]
    elif axes is None:
        axes = [x_ndim - 1, y_ndim - 1 if y_ndim == 2 else y_ndim - 2]
    if any(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError("Multiple target dimensions are not supported. Expected: None, int, "
                         f"(int, int), Provided: {axes}")
    axes = [axes[0] % x_ndim, axes[1] % y_ndim]
    if 0 in axes:
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not "
                         "batched, add a dummy batch dimension to your inputs using "
                         "K.expand_dims(x, 0)")
    return axes


@op
def batch_dot(x, y, axes=None):
    """Per-sample dot product of `x` and `y` over `axes` (TensorFlow's `K.batch_dot`)."""
    x, y = floats(x, y)
    if x.dim() < 2 or y.dim() < 2:
        raise ValueError("Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                         f"shapes {tuple(x.shape)} and {tuple(y.shape)}.")
    if x.shape[0] != y.shape[0]:
        raise ValueError("Cannot do batch_dot on inputs with different batch sizes. Received "
                         f"inputs with shapes {tuple(x.shape)} and {tuple(y.shape)}.")
    a0, a1 = _batch_dot_axes(axes, x.dim(), y.dim())
    if x.shape[a0] != y.shape[a1]:
        raise ValueError(f"Cannot do batch_dot on inputs with shapes {tuple(x.shape)} and "
                         f"{tuple(y.shape)} with axes={[a0, a1]}. x.shape[{a0}] != "
                         f"y.shape[{a1}] ({x.shape[a0]} != {y.shape[a1]}).")
    x_rank, y_rank = x.dim(), y.dim()
    x = torch.movedim(x.unsqueeze(1) if x_rank == 2 else x, a0 + (x_rank == 2), -1)
    y = torch.movedim(y.unsqueeze(2) if y_rank == 2 else y, a1, 1)
    x_mid, y_trail = x.shape[1:-1], y.shape[2:]
    out = torch.bmm(x.reshape(x.shape[0], -1, x.shape[-1]),
                    y.reshape(y.shape[0], y.shape[1], -1))
    out = out.reshape(out.shape[0], *x_mid, *y_trail)
    if x_rank == 2:
        return out.squeeze(1)
    return out.squeeze(-1) if y_rank == 2 else out


@op
def softmax(x, axis=-1):
    """Softmax over `axis` (an int or several axes)."""
    x = tensor(x)
    if x.dim() <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    if isinstance(axis, int):
        return torch.softmax(x, dim=axis)
    shifted = torch.exp(x - torch.amax(x, dim=tuple(axis), keepdim=True))
    return shifted / torch.sum(shifted, dim=tuple(axis), keepdim=True)


@op
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit with a leak `alpha` below `threshold` and a cap `max_value`."""
    x = tensor(x, None if isinstance(x, torch.Tensor) else config.floatx())
    negative = torch.relu(threshold - x) if alpha != 0.0 else None
    if threshold != 0:
        x = x * (x > threshold).to(x.dtype)
    else:
        x = torch.relu(x)
    if max_value is not None:
        x = torch.clamp(x, 0, max_value)
    return x - alpha * negative if negative is not None else x


@op
def elu(x, alpha=1.0):
    """Exponential linear unit: x above 0, `alpha * (exp(x) - 1)` below."""
    x = tensor(x)
    result = F.elu(x)
    return result if alpha == 1 else torch.where(x > 0, result, alpha * result)


@op
def hard_sigmoid(x):
    """`clip(0.2 * x + 0.5, 0, 1)`."""
    return torch.clamp(tensor(x) * 0.2 + 0.5, 0.0, 1.0)


def _probabilities(output, axis):
    output = output / torch.sum(output, dim=axis, keepdim=True)
    eps = config.epsilon()
    return torch.clamp(output, eps, 1.0 - eps)


@op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy of one-hot `target` and `output` (probabilities, renormalized, or logits)."""
    target, output = floats(target, output)
    if from_logits:
        return -torch.sum(target * torch.log_softmax(output, dim=axis), dim=axis)
    return -torch.sum(target * torch.log(_probabilities(output, axis)), dim=axis)


@op
def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0, from_logits=False,
                                   axis=-1):
    """Categorical crossentropy with each term scaled by `alpha * (1 - p) ** gamma`."""
    target, output = floats(target, output)
    if from_logits:
        output = torch.softmax(output, dim=axis)
    output = _probabilities(output, axis)
    terms = alpha * torch.pow(1.0 - output, gamma) * (-target * torch.log(output))
    return torch.sum(terms, dim=axis)


@op
def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary crossentropy (no mean over the last axis)."""
    target, output = floats(target, output)
    if from_logits:
        return (torch.clamp(output, min=0) - output * target
                + torch.log1p(torch.exp(-torch.abs(output))))
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output + eps) + (1 - target) * torch.log(1 - output + eps))


@op
def binary_focal_crossentropy(target, output, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False):
    """Binary crossentropy scaled by `(1 - p_t) ** gamma` (and `alpha` class weights)."""
    target, output = floats(target, output)
    probabilities = torch.sigmoid(output) if from_logits else output
    p_t = target * probabilities + (1 - target) * (1 - probabilities)
    result = torch.pow(1.0 - p_t, gamma) * binary_crossentropy(target, output, from_logits)
    if apply_class_balancing:
        result = (target * alpha + (1 - target) * (1 - alpha)) * result
    return result


def _sparse_layout(target, output, axis):
    """Logits moved to the last axis, and labels / logits flattened when their ranks
    disagree."""
    rank = output.dim()
    axis %= rank
    if axis != rank - 1:
        output = output.permute(*itertools.chain(range(axis), range(axis + 1, rank), [axis]))
    reshaped = target.dim() != rank - 1
    if reshaped:
        target, output = target.reshape(-1), output.reshape(-1, output.shape[-1])
    return target, output, reshaped


@op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1,
                                    ignore_class=None):
    """Crossentropy of integer `target` and `output`; `ignore_class` positions give 0."""
    output = tensor(output)
    target = tensor(target, device=output.device).to(torch.int64)
    if not from_logits:
        eps = config.epsilon()
        output = torch.log(torch.clamp(output, eps, 1 - eps))
    full_shape = output.shape
    target, output, reshaped = _sparse_layout(target, output, axis)
    valid = None if ignore_class is None else target != ignore_class
    safe = target if valid is None else torch.where(valid, target, 0)
    log_p = torch.log_softmax(output, dim=-1)
    result = -torch.gather(log_p, -1, safe.unsqueeze(-1)).squeeze(-1)
    if valid is not None:
        result = torch.where(valid, result, torch.zeros_like(result))
    if reshaped and len(full_shape) >= 3:
        moved = list(full_shape)
        del moved[axis % len(full_shape)]
        result = result.reshape(moved)
    return result


@op
def bias_add(x, bias, data_format=None):
    """`x + bias` with `bias` along the channel axis (`data_format`) or over the non-batch
    axes."""
    data_format = _data_format(data_format)
    x, bias = floats(x, bias)
    if bias.dim() not in (1, x.dim() - 1):
        raise ValueError(f"Unexpected bias dimensions {bias.dim()}. Expected it to be 1 or "
                         f"{x.dim() - 1} dimensions")
    if data_format == "channels_first" and x.dim() > 2:
        if bias.dim() == 1:
            return x + bias.reshape(1, -1, *([1] * (x.dim() - 2)))
        return x + bias.movedim(-1, 0).unsqueeze(0)
    return x + bias


@op
def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """`(x - mean) / sqrt(var + epsilon) * gamma + beta` (beta / gamma may be None)."""
    x = tensor(x)
    scale = torch.rsqrt(tensor(var, device=x.device) + epsilon)
    if gamma is not None:
        scale = scale * tensor(gamma, device=x.device)
    shift = -tensor(mean, device=x.device) * scale
    if beta is not None:
        shift = shift + tensor(beta, device=x.device)
    return x * scale + shift


@op
def dropout(x, level, noise_shape=None, seed=None):
    """Zero entries with probability `level`, scaling the others by `1 / (1 - level)`."""
    x = tensor(x)
    generator = None
    if seed is not None:
        generator = torch.Generator(device=x.device).manual_seed(int(seed))
    shape = tuple(x.shape) if noise_shape is None else tuple(int(d) for d in noise_shape)
    keep = torch.rand(shape, generator=generator, device=x.device) >= level
    return x * keep.to(x.dtype) / (1.0 - level)


@op
def in_top_k(predictions, targets, k):
    """Whether each target is among the `k` largest predictions of its row."""
    return ops.in_top_k(targets, predictions, k)


__all__ = ["batch_dot", "batch_normalization", "bias_add", "binary_crossentropy",
           "binary_focal_crossentropy", "categorical_crossentropy",
           "categorical_focal_crossentropy", "dot", "dropout", "elu", "hard_sigmoid",
           "in_top_k", "relu", "softmax", "sparse_categorical_crossentropy"]
