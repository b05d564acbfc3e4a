"""tf.keras 2's `keras.backend` variables, constants, random tensors and learning phase
(`K.variable`, `K.get_value`, `K.set_value`, `K.random_normal`, ...): a hocsau extension."""

from __future__ import annotations

import math

import numpy as np
import torch

from hocsau import config
from hocsau.ops._convert import tensor
from hocsau.ops.dispatch import op
from hocsau.variable import Variable


def variable(value, dtype=None, name=None, constraint=None) -> Variable:
    """A `Variable` holding `value` (cast to `dtype`, default `floatx()`)."""
    dtype = dtype or config.floatx()
    if isinstance(value, torch.Tensor):
        value = value.detach()
    data = tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value, dtype)
    result = Variable(data, dtype=dtype, name=name)
    result.constraint = constraint
    return result


def constant(value, dtype=None, shape=None, name=None) -> torch.Tensor:
    """A constant tensor of `dtype` (default `floatx()`), broadcast to `shape` if given."""
    result = tensor(value, dtype or config.floatx())
    if shape is not None:
        result = result.expand(tuple(shape)).clone() if result.dim() == 0 else \
            result.reshape(tuple(shape))
    return result


def _filled(fill, shape, dtype, name):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    values = torch.full(shape, fill, dtype=config.torch_dtype(dtype or config.floatx()),
                        device=config.device())
    return variable(values, dtype or config.floatx(), name)


def zeros(shape, dtype=None, name=None) -> Variable:
    """A variable of zeros."""
    return _filled(0, shape, dtype, name)


def ones(shape, dtype=None, name=None) -> Variable:
    """A variable of ones."""
    return _filled(1, shape, dtype, name)


def eye(size, dtype=None, name=None) -> Variable:
    """A variable holding the identity matrix (`size` an int or `(rows, cols)`)."""
    rows, cols = (size, size) if isinstance(size, int) else size
    dtype = dtype or config.floatx()
    values = torch.eye(rows, cols, dtype=config.torch_dtype(dtype), device=config.device())
    return variable(values, dtype, name)


@op
def zeros_like(x, dtype=None, name=None):
    """Zeros of `x`'s shape (and dtype unless given)."""
    x = tensor(x)
    return torch.zeros_like(x, dtype=None if dtype is None else config.torch_dtype(dtype))


@op
def ones_like(x, dtype=None, name=None):
    """Ones of `x`'s shape (and dtype unless given)."""
    x = tensor(x)
    return torch.ones_like(x, dtype=None if dtype is None else config.torch_dtype(dtype))


def get_value(x):
    """The value of a tensor or variable as a NumPy array (other values unchanged)."""
    if not isinstance(x, torch.Tensor):
        return x
    return x.detach().cpu().numpy()


eval = get_value  # noqa: A001 - tf.keras 2's name


def batch_get_value(tensors) -> list:
    """`get_value` of each tensor."""
    return [get_value(x) for x in tensors]


def set_value(x, value) -> None:
    """Assign `value` (array-like) to the variable `x`, keeping its dtype."""
    with torch.no_grad():
        x.copy_(torch.as_tensor(np.asarray(value), dtype=x.dtype).reshape(x.shape))


def batch_set_value(tuples) -> None:
    """`set_value` for each `(variable, value)` pair."""
    for x, value in tuples:
        set_value(x, value)


def update(x, new_x):
    """Assign `new_x` to `x` in place; returns `x`."""
    with torch.no_grad():
        x.copy_(tensor(new_x, device=x.device).to(x.dtype))
    return x


def update_add(x, increment):
    """Add `increment` to `x` in place; returns `x`."""
    with torch.no_grad():
        x.add_(tensor(increment, device=x.device).to(x.dtype))
    return x


def update_sub(x, decrement):
    """Subtract `decrement` from `x` in place; returns `x`."""
    with torch.no_grad():
        x.sub_(tensor(decrement, device=x.device).to(x.dtype))
    return x


def moving_average_update(x, value, momentum):
    """`x -= (x - value) * (1 - momentum)` in place; returns `x`."""
    with torch.no_grad():
        x.sub_((x - tensor(value, device=x.device).to(x.dtype)) * (1 - momentum))
    return x


def count_params(x) -> int:
    """The number of scalars in `x`."""
    return math.prod(int(d) for d in x.shape)


def learning_phase() -> int:
    """1 inside a layer call made in training mode, else 0 (tf.keras 2's learning phase)."""
    from hocsau.layers.call_context import CONTEXT

    return int(bool(CONTEXT.training))


def _generator(seed):
    seed = np.random.randint(10e6) if seed is None else seed
    return torch.Generator(device=config.device()).manual_seed(int(seed))


def _shape(shape) -> tuple:
    return (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Normal samples (a None `seed` draws one from NumPy's global state, as tf.keras 2)."""
    dtype = config.torch_dtype(dtype or config.floatx())
    values = torch.randn(_shape(shape), generator=_generator(seed), device=config.device(),
                         dtype=dtype)
    return values * stddev + mean


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Uniform samples in `[minval, maxval)`."""
    dtype = config.torch_dtype(dtype or config.floatx())
    values = torch.rand(_shape(shape), generator=_generator(seed), device=config.device(),
                        dtype=dtype)
    return values * (maxval - minval) + minval


def random_bernoulli(shape, p=0.0, dtype=None, seed=None) -> torch.Tensor:
    """1 with probability `p`, else 0."""
    values = random_uniform(shape, dtype=dtype, seed=seed)
    return (values <= p).to(values.dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Normal samples redrawn until within two standard deviations of the mean."""
    dtype = config.torch_dtype(dtype or config.floatx())
    values = torch.empty(_shape(shape), device=config.device(), dtype=dtype)
    torch.nn.init.trunc_normal_(values, 0.0, 1.0, -2.0, 2.0, generator=_generator(seed))
    return values * stddev + mean


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None) -> Variable:
    """A variable of normal samples."""
    seed = np.random.randint(10e8) if seed is None else seed
    return variable(random_normal(shape, mean, scale, dtype, seed), dtype, name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None) -> Variable:
    """A variable of uniform samples in `[low, high)`."""
    seed = np.random.randint(10e8) if seed is None else seed
    return variable(random_uniform(shape, low, high, dtype, seed), dtype, name)


__all__ = ["batch_get_value", "batch_set_value", "constant", "count_params", "eval", "eye",
           "get_value", "learning_phase", "moving_average_update", "ones", "ones_like",
           "random_bernoulli", "random_normal", "random_normal_variable", "random_uniform",
           "random_uniform_variable", "set_value", "truncated_normal", "update", "update_add",
           "update_sub", "variable", "zeros", "zeros_like"]
