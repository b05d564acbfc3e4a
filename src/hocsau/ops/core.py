"""Core ops: conversion, dtype and shape queries, casts, gradients stops and indexed updates."""

from __future__ import annotations

import builtins

import numpy as np
import torch

from hocsau import config
from hocsau.layers.preprocessing._categorical import host_array, is_string_array
from hocsau.ops._convert import tensor
from hocsau.ops.dispatch import op


@op
def convert_to_tensor(x, dtype=None, sparse=None, ragged=None) -> torch.Tensor:
    """Convert a numpy array, Python value or tensor to a torch tensor.

    Args:
        x: the value.
        dtype: the wanted dtype; by default tensors and arrays keep theirs, Python ints become
            int32 and Python floats `floatx()`.
        sparse: only None or False (torch tensors here are dense).
        ragged: only None or False.

    Strings (as TensorFlow's backend takes them) come back as a numpy `str` array: torch has
    no string tensors, and the layers that take text (TextVectorization, StringLookup,
    Hashing) read such arrays.
    """
    if sparse or ragged:
        raise ValueError("hocsau tensors are dense: `sparse=True` and `ragged=True` are not "
                         f"supported. Received: sparse={sparse}, ragged={ragged}")
    if dtype in (None, "string") and is_string_array(x):
        return host_array(x, strings=True)
    return tensor(x, dtype)


def convert_to_numpy(x) -> np.ndarray:
    """A numpy array holding the value of `x` (moved to the CPU, detached from autograd)."""
    if isinstance(x, (list, tuple)):
        return np.array([convert_to_numpy(item) for item in x])
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        if x.dtype == torch.bfloat16:
            x = x.float()  # numpy has no bfloat16
        return x.numpy()
    return np.asarray(x)


def is_tensor(x) -> bool:
    """Whether `x` is a torch tensor (variables included)."""
    return isinstance(x, torch.Tensor)


def shape(x) -> tuple:
    """The shape of `x` as a tuple of ints (of Nones and ints for a symbolic tensor)."""
    if getattr(type(x), "_is_symbolic", False) or not isinstance(x, torch.Tensor):
        return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
    return tuple(x.shape)


def dtype(x) -> str:
    """The dtype of `x` as a Keras string ('float32', 'int32', ...)."""
    if hasattr(x, "dtype"):
        return config.standardize_dtype(x.dtype)
    return config.standardize_dtype(tensor(x).dtype)


@op
def cast(x, dtype) -> torch.Tensor:
    """`x` converted to `dtype`."""
    return tensor(x, dtype)


def _dtype_limits(dtype: torch.dtype) -> tuple[float, float]:
    if dtype == torch.bool:
        return 0, 1
    info = torch.finfo(dtype) if dtype.is_floating_point else torch.iinfo(dtype)
    return info.min, info.max


@op
def saturate_cast(x, dtype) -> torch.Tensor:
    """Cast `x` to `dtype`, clipping values to the range `dtype` can hold (never wrapping)."""
    x = tensor(x)
    target = config.torch_dtype(dtype)
    low_in, high_in = _dtype_limits(x.dtype)
    low_out, high_out = _dtype_limits(target)
    low, high = builtins.max(low_in, low_out), builtins.min(high_in, high_out)
    if x.dtype != torch.bool:
        # The bound may round outwards in the input dtype (float32 cannot hold 2**31 - 1).
        low_t = torch.tensor(low, dtype=torch.float64).to(x.dtype)
        high_t = torch.tensor(high, dtype=torch.float64).to(x.dtype)
        if low_t.double() < low:
            low_t = torch.nextafter(low_t, torch.zeros_like(low_t))
        if high_t.double() > high:
            high_t = torch.nextafter(high_t, torch.zeros_like(high_t))
        x = torch.clamp(x, low_t.to(x.device), high_t.to(x.device))
    return x.to(target)


@op
def stop_gradient(variable) -> torch.Tensor:
    """`variable` as a tensor that gradients do not flow through."""
    return tensor(variable).detach()


class _CustomGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, forward_fn, *args):
        output, ctx.grad_fn = forward_fn(*args)
        ctx.save_for_backward(*args)
        return output

    @staticmethod
    def backward(ctx, *upstream):
        grads = ctx.grad_fn(*ctx.saved_tensors, upstream=upstream[0] if len(upstream) == 1
                            else upstream)
        if not isinstance(grads, (tuple, list)):
            grads = (grads,)
        return (None, *grads)


def custom_gradient(f):
    """Decorate `f(*args) -> (output, grad_fn)` so autograd uses `grad_fn(*args, upstream=...)`.

    `grad_fn` returns one gradient per argument of `f`.
    """

    def wrapper(*args):
        return _CustomGradient.apply(f, *args)

    wrapper.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapper.__doc__ = f.__doc__
    return wrapper


def _rows(indices: torch.Tensor, target_shape) -> tuple[torch.Tensor, int]:
    """Flat positions of the index rows in the leading `depth` dims of `target_shape`."""
    depth = indices.shape[-1]
    strides = torch.ones(depth, dtype=torch.int64, device=indices.device)
    for i in range(depth - 2, -1, -1):
        strides[i] = strides[i + 1] * target_shape[i + 1]
    return (indices.reshape(-1, depth).long() * strides).sum(-1), depth


@op
def scatter(indices, values, shape) -> torch.Tensor:
    """A zero tensor of `shape` with `values` added at `indices` (duplicates accumulate).

    Args:
        indices: int tensor `(..., depth)`, each row indexing the first `depth` dims.
        values: tensor `(..., *shape[depth:])`.
        shape: the output shape.
    """
    values = tensor(values)
    indices = tensor(indices, device=values.device)
    shape = tuple(int(s) for s in shape)
    flat, depth = _rows(indices, shape)
    out = torch.zeros((int(np.prod(shape[:depth])),) + shape[depth:], dtype=values.dtype,
                      device=values.device)
    out.index_add_(0, flat, values.reshape((-1,) + shape[depth:]))
    return out.reshape(shape)


_REDUCTIONS = {"max": "amax", "min": "amin", "mul": "prod"}


@op
def scatter_update(inputs, indices, updates, reduction=None) -> torch.Tensor:
    """A copy of `inputs` with `updates` written (or combined) at `indices`.

    Args:
        inputs: the tensor to update.
        indices: int tensor `(n, depth)`, each row indexing the first `depth` dims.
        updates: tensor `(n, *inputs.shape[depth:])`.
        reduction: None (overwrite), 'add', 'max', 'min' or 'mul'.
    """
    inputs = tensor(inputs)
    indices = tensor(indices, device=inputs.device)
    updates = tensor(updates, inputs.dtype, device=inputs.device)
    if reduction not in (None, "add", *_REDUCTIONS):
        raise ValueError("`reduction` must be one of None, 'add', 'max', 'min', 'mul'. "
                         f"Received: reduction={reduction!r}")
    flat, depth = _rows(indices, inputs.shape)
    rest = tuple(inputs.shape[depth:])
    out = inputs.clone().reshape((-1,) + rest)
    updates = updates.reshape((-1,) + rest)
    if reduction is None:
        out[flat] = updates
    elif reduction == "add":
        out.index_add_(0, flat, updates)
    else:
        index = flat.reshape((-1,) + (1,) * len(rest)).expand(updates.shape)
        out.scatter_reduce_(0, index, updates, _REDUCTIONS[reduction])
    return out.reshape(inputs.shape)


@op
def slice(inputs, start_indices, shape) -> torch.Tensor:
    """The block of `inputs` of size `shape` starting at `start_indices`."""
    inputs = tensor(inputs)
    for dim, (start, size) in enumerate(zip(start_indices, shape, strict=False)):
        inputs = inputs.narrow(dim, int(start), int(size))
    return inputs


@op
def slice_update(inputs, start_indices, updates) -> torch.Tensor:
    """A copy of `inputs` with the block starting at `start_indices` replaced by `updates`."""
    inputs = tensor(inputs)
    updates = tensor(updates, inputs.dtype, device=inputs.device)
    out = inputs.clone()
    block = out
    for dim, (start, size) in enumerate(zip(start_indices, updates.shape, strict=False)):
        block = block.narrow(dim, int(start), int(size))
    block.copy_(updates)
    return out


@op
def unstack(x, num=None, axis=0) -> list[torch.Tensor]:
    """`x` split along `axis` into a list of tensors of one rank less."""
    x = tensor(x)
    if num is not None and num != x.shape[axis]:
        raise ValueError(f"`num` must equal the size of axis {axis} ({x.shape[axis]}). "
                         f"Received: num={num}")
    return list(x.unbind(axis))
