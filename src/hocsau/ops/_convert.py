"""Private helpers shared by the ops: conversion to tensors, dtype choices and axis arguments.

Conversion follows Keras's torch backend: tensors pass through untouched, Python ints become
int32 (int64 when too large), Python floats and float lists become `floatx()`, numpy arrays keep
their dtype. New tensors go to the device of the tensors they meet, else to `config.device()`
(see `default_device`).
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from hocsau import config

_NUMPY_LIST_DTYPES = {"float64": None, "int64": "int32", "complex128": "complex64"}
_INT32_MAX = 2**31


def default_device() -> torch.device:
    """Where new tensors go: `config.device()`, or meta inside `with torch.device("meta")`
    (symbolic shape inference), so that ops creating tensors follow the traced inputs."""
    current = torch.get_default_device()
    return current if current.type == "meta" else config.device()


def tensor(x, dtype=None, device=None) -> torch.Tensor:
    """`x` as a torch tensor (see the module docstring for the dtype rules)."""
    if isinstance(x, torch.Tensor):
        if dtype is not None:
            wanted = config.torch_dtype(dtype)
            if x.dtype != wanted:
                x = x.to(wanted)
        return x
    device = default_device() if device is None else device
    if dtype is not None:
        dtype = config.torch_dtype(dtype)
    elif isinstance(x, (bool, int, float, complex)):
        dtype = _python_scalar_dtype(x)
    elif isinstance(x, (list, tuple)):
        if any(isinstance(item, torch.Tensor) for item in x):
            return torch.stack([tensor(item, device=device) for item in x])
        x = np.asarray(x)
        dtype = _list_dtype(x)
    if isinstance(x, (bool, int, float, complex)):
        return _scalar(x, dtype, device)
    x = np.asarray(x)
    if any(stride < 0 for stride in x.strides):
        x = x.copy()  # torch cannot view reversed numpy arrays
    if x.dtype == np.uint32:
        x = x.astype(np.int64)  # torch has no general uint32 arithmetic
    return torch.as_tensor(x, dtype=dtype, device=device)


def _scalar(x, dtype: torch.dtype, device) -> torch.Tensor:
    """A 0-d tensor filled on the device: torch.tensor(x, device="cuda") copies from the
    host and waits for the GPU. A value beyond the dtype's range takes torch.tensor's path
    (a float becomes inf, an integer raises), which `full` refuses."""
    try:
        return torch.full((), x, dtype=dtype, device=device)
    except RuntimeError:
        return torch.tensor(x, dtype=dtype, device=device)


def _python_scalar_dtype(x) -> torch.dtype:
    if isinstance(x, bool):
        return torch.bool
    if isinstance(x, int):
        return torch.int32 if -_INT32_MAX <= x < _INT32_MAX else torch.int64
    if isinstance(x, float):
        return config.torch_dtype(config.floatx())
    return torch.complex64


def _list_dtype(array: np.ndarray) -> torch.dtype:
    name = array.dtype.name
    if name == "float64":
        return config.torch_dtype(config.floatx())
    if name == "int64" and array.size and (array.min() < -_INT32_MAX or array.max() >= _INT32_MAX):
        return torch.int64
    return config.torch_dtype(_NUMPY_LIST_DTYPES.get(name) or name)


def tensors(*values) -> list[torch.Tensor]:
    """Several values as tensors, the new ones placed with the first tensor among them."""
    device = next((v.device for v in values if isinstance(v, torch.Tensor)), None)
    return [tensor(v, device=device) for v in values]


def operand(x, other: torch.Tensor):
    """`x` ready to meet tensor `other` in a torch call: Python numbers stay weakly typed."""
    if type(x) in (int, float) or isinstance(x, torch.Tensor):
        return x
    return tensor(x, device=other.device)


def floating(x) -> torch.Tensor:
    """`x` as a tensor, cast to `floatx()` unless it is already floating or complex."""
    x = tensor(x)
    if x.is_floating_point() or x.is_complex():
        return x
    return x.to(config.torch_dtype(config.floatx()))


def floats(*values) -> list[torch.Tensor]:
    """Values as tensors of one floating dtype: their promoted dtype, `floatx()` for integers."""
    converted = [floating(v) for v in tensors(*values)]
    dtype = functools.reduce(torch.promote_types, (v.dtype for v in converted))
    return [v.to(dtype) for v in converted]


def float_dtype(dtype: torch.dtype) -> torch.dtype:
    """`dtype` when floating or complex, else the `floatx()` dtype."""
    if dtype.is_floating_point or dtype.is_complex:
        return dtype
    return config.torch_dtype(config.floatx())


def dtype_or_none(dtype) -> torch.dtype | None:
    return None if dtype is None else config.torch_dtype(dtype)


def axes(axis, ndim: int) -> tuple[int, ...] | None:
    """A numpy-style axis argument (None, int, sequence) as a tuple of non-negative ints."""
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(canonical_axis(a, ndim) for a in axis)
    return (canonical_axis(axis, ndim),)


def canonical_axis(axis: int, ndim: int) -> int:
    axis = int(axis)
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"Axis {axis} is out of bounds for a tensor of rank {ndim}. "
                         f"Received: axis={axis}")
    return axis % max(ndim, 1)


def shape_tuple(shape) -> tuple[int, ...]:
    """A shape argument (int, sequence, torch.Size or tensor) as a tuple of ints."""
    if isinstance(shape, torch.Tensor):
        return tuple(int(s) for s in shape.reshape(-1).tolist())
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)
