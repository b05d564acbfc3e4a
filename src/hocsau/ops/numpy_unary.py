"""Element-wise functions of one tensor, numpy-named.

Transcendental functions return floats: integer and boolean inputs become `floatx()`, float
inputs keep their precision. The others keep the input dtype.
"""

from __future__ import annotations

import torch

from hocsau.ops._convert import floating, tensor
from hocsau.ops.dispatch import op


def _float_op(name: str, torch_fn, summary: str):
    def fn(x):
        return torch_fn(floating(x))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{summary} Integer and boolean inputs are computed in `floatx()`."
    return op(fn)


def _cbrt(x: torch.Tensor) -> torch.Tensor:
    return torch.sign(x) * torch.abs(x).pow(1.0 / 3.0)


arccos = _float_op("arccos", torch.arccos, "Element-wise inverse cosine.")
arccosh = _float_op("arccosh", torch.arccosh, "Element-wise inverse hyperbolic cosine.")
arcsin = _float_op("arcsin", torch.arcsin, "Element-wise inverse sine.")
arcsinh = _float_op("arcsinh", torch.arcsinh, "Element-wise inverse hyperbolic sine.")
arctan = _float_op("arctan", torch.arctan, "Element-wise inverse tangent.")
arctanh = _float_op("arctanh", torch.arctanh, "Element-wise inverse hyperbolic tangent.")
cos = _float_op("cos", torch.cos, "Element-wise cosine.")
cosh = _float_op("cosh", torch.cosh, "Element-wise hyperbolic cosine.")
sin = _float_op("sin", torch.sin, "Element-wise sine.")
sinh = _float_op("sinh", torch.sinh, "Element-wise hyperbolic sine.")
tan = _float_op("tan", torch.tan, "Element-wise tangent.")
tanh = _float_op("tanh", torch.tanh, "Element-wise hyperbolic tangent.")
exp = _float_op("exp", torch.exp, "Element-wise `e ** x`.")
exp2 = _float_op("exp2", torch.exp2, "Element-wise `2 ** x`.")
expm1 = _float_op("expm1", torch.expm1, "Element-wise `exp(x) - 1`, exact near zero.")
log = _float_op("log", torch.log, "Element-wise natural logarithm.")
log10 = _float_op("log10", torch.log10, "Element-wise base-10 logarithm.")
log1p = _float_op("log1p", torch.log1p, "Element-wise `log(1 + x)`, exact near zero.")
log2 = _float_op("log2", torch.log2, "Element-wise base-2 logarithm.")
sqrt = _float_op("sqrt", torch.sqrt, "Element-wise square root.")
cbrt = _float_op("cbrt", _cbrt, "Element-wise cube root (real, negative for negative inputs).")
reciprocal = _float_op("reciprocal", torch.reciprocal, "Element-wise `1 / x`.")
deg2rad = _float_op("deg2rad", torch.deg2rad, "Degrees to radians.")
rad2deg = _float_op("rad2deg", torch.rad2deg, "Radians to degrees.")
sinc = _float_op("sinc", torch.sinc, "Normalized sinc, `sin(pi x) / (pi x)`.")
i0 = _float_op("i0", torch.special.i0, "Modified Bessel function of the first kind, order 0.")
fabs = _float_op("fabs", torch.abs, "Element-wise absolute value, as floats.")
ceil = _float_op("ceil", torch.ceil, "Element-wise ceiling.")
floor = _float_op("floor", torch.floor, "Element-wise floor.")
angle = _float_op("angle", torch.angle, "Element-wise argument of complex numbers (0 or pi "
                  "for reals).")


@op
def absolute(x) -> torch.Tensor:
    """Element-wise absolute value (booleans are returned unchanged)."""
    x = tensor(x)
    return x if x.dtype == torch.bool else torch.abs(x)


abs = absolute


@op
def negative(x) -> torch.Tensor:
    """Element-wise `-x`."""
    return torch.neg(tensor(x))


@op
def square(x) -> torch.Tensor:
    """Element-wise `x * x` (booleans become int32)."""
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    return torch.square(x)


@op
def sign(x) -> torch.Tensor:
    """Element-wise sign: -1, 0 or 1 in the input dtype."""
    return torch.sign(tensor(x))


@op
def signbit(x) -> torch.Tensor:
    """Whether the sign bit is set (True for -0.0 and negative numbers)."""
    x = tensor(x)
    if x.dtype == torch.bool:
        return torch.zeros_like(x)
    return torch.signbit(x)


@op
def round(x, decimals=0) -> torch.Tensor:
    """Round half to even, to `decimals` places (negative values round to tens, hundreds...)."""
    x = tensor(x)
    if x.is_floating_point():
        return torch.round(x, decimals=decimals)
    if decimals >= 0:
        return x
    factor = 10 ** (-decimals)
    return (torch.round(x.double() / factor) * factor).to(x.dtype)


@op
def trunc(x) -> torch.Tensor:
    """Round towards zero (integer inputs are returned unchanged)."""
    x = tensor(x)
    return torch.trunc(x) if x.is_floating_point() else x


@op
def conjugate(x) -> torch.Tensor:
    """Element-wise complex conjugate (the identity for real tensors)."""
    return torch.conj(tensor(x)).resolve_conj()


conj = conjugate


@op
def real(x) -> torch.Tensor:
    """The real part of `x`."""
    x = tensor(x)
    return torch.real(x) if x.is_complex() else x


@op
def imag(x) -> torch.Tensor:
    """The imaginary part of `x` (zeros for real tensors)."""
    x = tensor(x)
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


@op
def copy(x) -> torch.Tensor:
    """A copy of `x` that does not share memory with it."""
    return torch.clone(tensor(x))


@op
def bitwise_invert(x) -> torch.Tensor:
    """Element-wise bitwise NOT of integers or booleans."""
    return torch.bitwise_not(tensor(x))


bitwise_not = bitwise_invert


@op
def logical_not(x) -> torch.Tensor:
    """Element-wise logical NOT, as booleans."""
    return torch.logical_not(tensor(x))


@op
def isfinite(x) -> torch.Tensor:
    """Whether each element is finite."""
    return torch.isfinite(tensor(x))


@op
def isinf(x) -> torch.Tensor:
    """Whether each element is positive or negative infinity."""
    return torch.isinf(tensor(x))


@op
def isnan(x) -> torch.Tensor:
    """Whether each element is NaN."""
    return torch.isnan(tensor(x))


@op
def isneginf(x) -> torch.Tensor:
    """Whether each element is negative infinity."""
    return torch.isneginf(tensor(x))


@op
def isposinf(x) -> torch.Tensor:
    """Whether each element is positive infinity."""
    return torch.isposinf(tensor(x))


@op
def isreal(x) -> torch.Tensor:
    """Whether each element has a zero imaginary part."""
    return torch.isreal(tensor(x))


@op
def nan_to_num(x, nan=0.0, posinf=None, neginf=None) -> torch.Tensor:
    """Replace NaN by `nan` and infinities by `posinf` / `neginf` (default: the dtype's limits)."""
    x = tensor(x)
    if not x.is_floating_point():
        return x
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

