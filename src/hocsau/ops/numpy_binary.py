"""Element-wise functions of two tensors, numpy-named, with broadcasting.

Dtypes follow torch's promotion, which for these functions agrees with Keras's: Python numbers
are weakly typed (`float16_tensor * 2.0` stays float16), integer division gives `floatx()`.
"""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.ops._convert import operand, tensor, tensors
from hocsau.ops.dispatch import op


def _arith(x1, x2):
    """Operands for torch arithmetic: the first a tensor, Python numbers left weakly typed."""
    if isinstance(x1, torch.Tensor):
        return x1, operand(x2, x1)
    if isinstance(x2, torch.Tensor):
        return tensor(x1, device=x2.device), x2
    return tensors(x1, x2)


def _floats(x1, x2):
    """Both operands as tensors of their promoted dtype, `floatx()` if that is not a float."""
    x1, x2 = tensors(x1, x2)
    dtype = torch.result_type(x1, x2)  # a 0-d tensor (a Python number) does not upcast
    if not dtype.is_floating_point:
        dtype = config.torch_dtype(config.floatx())
    return x1.to(dtype), x2.to(dtype)


def _tensor_op(name: str, torch_fn, summary: str, convert=tensors):
    def fn(x1, x2):
        return torch_fn(*convert(x1, x2))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = summary
    return op(fn)


@op
def add(x1, x2) -> torch.Tensor:
    """Element-wise `x1 + x2`."""
    return torch.add(*_arith(x1, x2))


@op
def subtract(x1, x2) -> torch.Tensor:
    """Element-wise `x1 - x2` (a boolean operand takes the other's dtype)."""
    x1, x2 = _arith(x1, x2)
    if x1.dtype == torch.bool and isinstance(x2, torch.Tensor):
        x1 = x1.to(x2.dtype)
    if isinstance(x2, torch.Tensor) and x2.dtype == torch.bool:
        x2 = x2.to(x1.dtype)
    return torch.subtract(x1, x2)


@op
def multiply(x1, x2) -> torch.Tensor:
    """Element-wise `x1 * x2`."""
    return torch.multiply(*_arith(x1, x2))


@op
def divide(x1, x2) -> torch.Tensor:
    """Element-wise true division; integer inputs give `floatx()`."""
    return torch.true_divide(*_arith(x1, x2))


true_divide = divide


@op
def divide_no_nan(x1, x2) -> torch.Tensor:
    """Element-wise `x1 / x2`, with 0 wherever `x2` is 0."""
    x1, x2 = _arith(x1, x2)
    quotient = torch.true_divide(x1, x2)
    return torch.where(torch.as_tensor(x2, device=quotient.device) == 0,
                       torch.zeros_like(quotient), quotient)


@op
def floor_divide(x1, x2) -> torch.Tensor:
    """Element-wise `x1 // x2` (rounding towards negative infinity)."""
    return torch.floor_divide(*_arith(x1, x2))


@op
def mod(x1, x2) -> torch.Tensor:
    """Element-wise remainder with the sign of the divisor (numpy's `mod`)."""
    return torch.remainder(*_arith(x1, x2))


@op
def fmod(x1, x2) -> torch.Tensor:
    """Element-wise remainder with the sign of the dividend (C's `fmod`)."""
    return torch.fmod(*_arith(x1, x2))


@op
def power(x1, x2) -> torch.Tensor:
    """Element-wise `x1 ** x2`."""
    return torch.pow(*_arith(x1, x2))


maximum = _tensor_op("maximum", torch.maximum, "Element-wise maximum (NaN propagates).")
minimum = _tensor_op("minimum", torch.minimum, "Element-wise minimum (NaN propagates).")
fmax = _tensor_op("fmax", torch.fmax, "Element-wise maximum, ignoring NaN where possible.")
fmin = _tensor_op("fmin", torch.fmin, "Element-wise minimum, ignoring NaN where possible.")
gcd = _tensor_op("gcd", torch.gcd, "Element-wise greatest common divisor of integers.")
lcm = _tensor_op("lcm", torch.lcm, "Element-wise least common multiple of integers.")
arctan2 = _tensor_op("arctan2", torch.arctan2, "Element-wise angle of the point `(x2, x1)`.",
                     _floats)
hypot = _tensor_op("hypot", torch.hypot, "Element-wise `sqrt(x1**2 + x2**2)`.", _floats)
logaddexp = _tensor_op("logaddexp", torch.logaddexp, "Element-wise `log(exp(x1) + exp(x2))`.",
                       _floats)
logaddexp2 = _tensor_op("logaddexp2", torch.logaddexp2,
                        "Element-wise `log2(2**x1 + 2**x2)`.", _floats)
nextafter = _tensor_op("nextafter", torch.nextafter,
                       "The next float after `x1` in the direction of `x2`.", _floats)
heaviside = _tensor_op("heaviside", torch.heaviside,
                       "Step function: 0 below zero, 1 above, `x2` at zero.", _floats)


@op
def ldexp(x1, x2) -> torch.Tensor:
    """Element-wise `x1 * 2**x2`, with integer exponents `x2`."""
    x1, x2 = tensors(x1, x2)
    if x2.is_floating_point():
        raise TypeError(f"ldexp exponents must be integers. Received: x2.dtype={x2.dtype}")
    dtype = x1.dtype if x1.is_floating_point() else config.torch_dtype(config.floatx())
    return torch.ldexp(x1.to(dtype), x2).to(dtype)


equal = _tensor_op("equal", torch.eq, "Element-wise `x1 == x2`.")
not_equal = _tensor_op("not_equal", torch.ne, "Element-wise `x1 != x2`.")
greater = _tensor_op("greater", torch.gt, "Element-wise `x1 > x2`.")
greater_equal = _tensor_op("greater_equal", torch.ge, "Element-wise `x1 >= x2`.")
less = _tensor_op("less", torch.lt, "Element-wise `x1 < x2`.")
less_equal = _tensor_op("less_equal", torch.le, "Element-wise `x1 <= x2`.")
logical_and = _tensor_op("logical_and", torch.logical_and, "Element-wise logical AND.")
logical_or = _tensor_op("logical_or", torch.logical_or, "Element-wise logical OR.")
logical_xor = _tensor_op("logical_xor", torch.logical_xor, "Element-wise logical XOR.")


def _bitwise(name: str, torch_fn, summary: str):
    def fn(x, y):
        return torch_fn(*tensors(x, y))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = summary
    return op(fn)


bitwise_and = _bitwise("bitwise_and", torch.bitwise_and, "Element-wise bitwise AND.")
bitwise_or = _bitwise("bitwise_or", torch.bitwise_or, "Element-wise bitwise OR.")
bitwise_xor = _bitwise("bitwise_xor", torch.bitwise_xor, "Element-wise bitwise XOR.")
bitwise_left_shift = _bitwise("bitwise_left_shift", torch.bitwise_left_shift,
                              "Element-wise `x << y`.")
bitwise_right_shift = _bitwise("bitwise_right_shift", torch.bitwise_right_shift,
                               "Element-wise `x >> y` (arithmetic for signed integers).")
left_shift = bitwise_left_shift
right_shift = bitwise_right_shift


def _same_dtype(x1, x2):
    x1, x2 = tensors(x1, x2)
    dtype = torch.result_type(x1, x2)
    return x1.to(dtype), x2.to(dtype)


@op
def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False) -> torch.Tensor:
    """Element-wise `|x1 - x2| <= atol + rtol * |x2|`."""
    x1, x2 = _same_dtype(x1, x2)
    return torch.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


@op
def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False) -> torch.Tensor:
    """Whether `isclose` holds everywhere, as a boolean scalar tensor."""
    return torch.all(isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


@op
def clip(x, x_min, x_max) -> torch.Tensor:
    """`x` limited to `[x_min, x_max]` (booleans become int32)."""
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    bounds = [b if b is None or type(b) in (int, float) else tensor(b, device=x.device)
              for b in (x_min, x_max)]
    return torch.clamp(x, *bounds)


@op
def where(condition, x1=None, x2=None):
    """`x1` where `condition` holds, else `x2`; with only `condition`, its nonzero indices."""
    condition = tensor(condition)
    if x1 is None and x2 is None:
        return tuple(i.to(torch.int32) for i in torch.nonzero(condition, as_tuple=True))
    if x1 is None or x2 is None:
        raise ValueError("`x1` and `x2` must both be given, or neither. "
                         f"Received: x1={x1}, x2={x2}")
    if isinstance(x1, torch.Tensor) or isinstance(x2, torch.Tensor):
        x1, x2 = operand(x1, condition), operand(x2, condition)
    else:
        x1, x2 = tensors(x1, x2)
    return torch.where(condition.to(torch.bool), x1, x2)


@op
def select(condlist, choicelist, default=0) -> torch.Tensor:
    """Per element, the choice of the first true condition, else `default`."""
    if len(condlist) != len(choicelist):
        raise ValueError("`condlist` and `choicelist` must have the same length. Received: "
                         f"len(condlist)={len(condlist)}, len(choicelist)={len(choicelist)}")
    choices = tensors(*choicelist)
    result = tensor(default, device=choices[0].device)
    for condition, choice in zip(reversed(condlist), reversed(choices), strict=False):
        result = torch.where(tensor(condition, device=choice.device).to(torch.bool), choice,
                             result)
    return result
