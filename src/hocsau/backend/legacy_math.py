"""tf.keras 2's `keras.backend` math (`K.sum`, `K.exp`, `K.equal`, ...): a hocsau extension.

Keras 3 dropped these functions; Keras 1 / tf.keras 2 tutorials still write custom layers with
them. Each follows TensorFlow's semantics (as `keras.src.legacy.backend` defines them) on torch
tensors, and records one graph node when given a symbolic tensor.
"""

from __future__ import annotations

import builtins

import torch

from hocsau import config, ops
from hocsau.ops._convert import axes, tensor
from hocsau.ops.dispatch import op


def _unary(torch_fn, name: str, doc: str):
    def fn(x):
        return torch_fn(_float_or_tensor(x))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return op(fn)


def _float_or_tensor(x) -> torch.Tensor:
    return tensor(x) if isinstance(x, torch.Tensor) else tensor(x, config.floatx())


abs = _unary(torch.abs, "abs", "Element-wise absolute value.")  # noqa: A001
exp = _unary(torch.exp, "exp", "Element-wise exponential.")
log = _unary(torch.log, "log", "Element-wise natural logarithm.")
cos = _unary(torch.cos, "cos", "Element-wise cosine.")
sin = _unary(torch.sin, "sin", "Element-wise sine.")
tanh = _unary(torch.tanh, "tanh", "Element-wise hyperbolic tangent.")
sigmoid = _unary(torch.sigmoid, "sigmoid", "Element-wise logistic sigmoid.")
softplus = _unary(torch.nn.functional.softplus, "softplus", "Element-wise log(1 + exp(x)).")
softsign = _unary(torch.nn.functional.softsign, "softsign", "Element-wise x / (1 + |x|).")
square = _unary(torch.square, "square", "Element-wise square.")
sign = _unary(torch.sign, "sign", "Element-wise sign (-1, 0 or 1).")
round = _unary(torch.round, "round", "Round half to even, as TensorFlow does.")  # noqa: A001


@op
def sqrt(x):
    """Element-wise square root, with negative inputs clipped to 0 first."""
    x = _float_or_tensor(x)
    return torch.sqrt(torch.clamp(x, min=0))


@op
def pow(x, a):  # noqa: A001
    """Element-wise `x ** a`."""
    return torch.pow(_float_or_tensor(x), a)


def _binary(torch_fn, name: str, doc: str):
    def fn(x, y):
        x, y = _pair(x, y)
        return torch_fn(x, y)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return op(fn)


def _pair(x, y):
    if not isinstance(x, torch.Tensor):
        x = tensor(x, y.dtype if isinstance(y, torch.Tensor) else config.floatx())
    if not isinstance(y, torch.Tensor):
        y = tensor(y, x.dtype, device=x.device)
    return x, y


equal = _binary(torch.eq, "equal", "Element-wise `x == y` (bool).")
not_equal = _binary(torch.ne, "not_equal", "Element-wise `x != y` (bool).")
greater = _binary(torch.gt, "greater", "Element-wise `x > y` (bool).")
greater_equal = _binary(torch.ge, "greater_equal", "Element-wise `x >= y` (bool).")
less = _binary(torch.lt, "less", "Element-wise `x < y` (bool).")
less_equal = _binary(torch.le, "less_equal", "Element-wise `x <= y` (bool).")
maximum = _binary(torch.maximum, "maximum", "Element-wise maximum.")
minimum = _binary(torch.minimum, "minimum", "Element-wise minimum.")


def _dims(x: torch.Tensor, axis):
    dims = axes(axis, x.dim())
    return tuple(range(x.dim())) if dims is None else dims


@op
def sum(x, axis=None, keepdims=False):  # noqa: A001
    """Sum over `axis` (all axes when None)."""
    x = _float_or_tensor(x)
    return torch.sum(x, dim=_dims(x, axis), keepdim=keepdims, dtype=x.dtype)


@op
def prod(x, axis=None, keepdims=False):
    """Product over `axis` (all axes when None)."""
    x = _float_or_tensor(x)
    result = x
    for dim in sorted(_dims(x, axis), reverse=True):
        result = torch.prod(result, dim=dim, keepdim=keepdims, dtype=x.dtype)
    return result


@op
def mean(x, axis=None, keepdims=False):
    """Mean over `axis`; booleans count as `floatx()`, integers keep their dtype (TF's
    truncating integer mean)."""
    x = _float_or_tensor(x)
    if x.dtype == torch.bool:
        x = x.to(config.torch_dtype(config.floatx()))
    dims = _dims(x, axis)
    if x.is_floating_point() or x.is_complex():
        return torch.mean(x, dim=dims, keepdim=keepdims)
    count = 1
    for dim in dims:
        count *= x.shape[dim]
    total = torch.sum(x, dim=dims, keepdim=keepdims)
    return torch.div(total, count, rounding_mode="trunc").to(x.dtype)


def _moment(x, axis, keepdims, fn):
    x = _float_or_tensor(x)
    if not x.is_floating_point():
        x = x.to(config.torch_dtype(config.floatx()))
    return fn(x, dim=_dims(x, axis), keepdim=keepdims, correction=0)


@op
def var(x, axis=None, keepdims=False):
    """Population variance over `axis`."""
    return _moment(x, axis, keepdims, torch.var)


@op
def std(x, axis=None, keepdims=False):
    """Population standard deviation over `axis`."""
    return _moment(x, axis, keepdims, torch.std)


def _extreme(torch_fn, name: str, doc: str):
    def fn(x, axis=None, keepdims=False):
        x = _float_or_tensor(x)
        return torch_fn(x, dim=_dims(x, axis), keepdim=keepdims)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return op(fn)


max = _extreme(torch.amax, "max", "Maximum over `axis` (all axes when None).")  # noqa: A001
min = _extreme(torch.amin, "min", "Minimum over `axis` (all axes when None).")  # noqa: A001


@op
def all(x, axis=None, keepdims=False):  # noqa: A001
    """Logical AND over `axis`."""
    x = tensor(x).to(torch.bool)
    return torch.all(x, dim=_dims(x, axis), keepdim=keepdims)


@op
def any(x, axis=None, keepdims=False):  # noqa: A001
    """Logical OR over `axis`."""
    x = tensor(x).to(torch.bool)
    return torch.any(x, dim=_dims(x, axis), keepdim=keepdims)


@op
def argmax(x, axis=-1):
    """Index of the maximum along `axis` (int64)."""
    return torch.argmax(tensor(x), dim=axis)


@op
def argmin(x, axis=-1):
    """Index of the minimum along `axis` (int64)."""
    return torch.argmin(tensor(x), dim=axis)


@op
def cumsum(x, axis=0):
    """Cumulative sum along `axis`."""
    x = _float_or_tensor(x)
    return torch.cumsum(x, dim=axis, dtype=x.dtype)


@op
def cumprod(x, axis=0):
    """Cumulative product along `axis`."""
    x = _float_or_tensor(x)
    return torch.cumprod(x, dim=axis, dtype=x.dtype)


@op
def clip(x, min_value, max_value):
    """Values clipped to `[min_value, max_value]` (a max below the min becomes the min;
    None is unbounded)."""
    x = _float_or_tensor(x)
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)):
        max_value = builtins.max(max_value, min_value)
    return torch.clamp(x, min=min_value, max=max_value)


@op
def l2_normalize(x, axis=None):
    """`x / sqrt(max(sum(x**2, axis), 1e-12))`, as `tf.linalg.l2_normalize`."""
    x = _float_or_tensor(x)
    squares = torch.sum(torch.square(x), dim=_dims(x, axis), keepdim=True)
    return x * torch.rsqrt(torch.clamp(squares, min=1e-12))


def stop_gradient(variables):
    """`x` cut from the gradient graph (a list gives an iterator, as in tf.keras 2)."""
    if isinstance(variables, (list, tuple)):
        return map(ops.stop_gradient, variables)
    return ops.stop_gradient(variables)


__all__ = ["abs", "all", "any", "argmax", "argmin", "clip", "cos", "cumprod", "cumsum",
           "equal", "exp", "greater", "greater_equal", "l2_normalize", "less", "less_equal",
           "log", "max", "maximum", "mean", "min", "minimum", "not_equal", "pow", "prod",
           "round", "sigmoid", "sign", "sin", "softplus", "softsign", "sqrt", "square", "std",
           "stop_gradient", "sum", "tanh", "var"]
