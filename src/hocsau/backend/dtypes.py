"""Keras's dtype rules: strict dtype names and the type promotion lattice of `result_type`.

`result_type` follows Keras 3 (which follows `jnp.result_type`): Python `int` / `float` are
"weak" types that take the precision of the other operand, and on this backend 64-bit results
come back as 32-bit ones (int64 -> int32, float64 -> float32), as Keras's torch backend does.
"""

from __future__ import annotations

import functools

from hocsau import config

INT_TYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
FLOAT8_TYPES = ("float8_e4m3fn", "float8_e5m2")
ALLOWED_DTYPES = (FLOAT_TYPES + INT_TYPES + ("bool", "string") + FLOAT8_TYPES
                  + ("complex64", "complex128"))
_PYTHON_TYPES = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32",
                 complex: "complex64"}

# Each type and the types directly above it; "int" / "float" are the weak Python types.
_LATTICE = {
    "bool": ["int"], "int": ["uint8", "int8", "complex64"],
    "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"],
    "uint32": ["int64", "uint64"], "uint64": ["float"],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["float"],
    "float": ["bfloat16", "float16"], "bfloat16": ["float32"], "float16": ["float32"],
    "float32": ["float64", "complex64"], "float64": ["complex128"],
    "complex64": ["complex128"], "complex128": [],
}
_TO_32_BITS = {"int64": "int32", "uint64": "uint32", "float64": "float32",
               "complex128": "complex64"}


def standardize_dtype(dtype) -> str:
    """A dtype (None, Python type, NumPy / torch dtype, string) as Keras's dtype name.

    Raises:
        ValueError: for a name Keras does not know (`Invalid dtype: ...`).
    """
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, (type, str)):
        dtype = _PYTHON_TYPES.get(dtype, dtype)
    if hasattr(dtype, "name"):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    elif "torch" in str(dtype):
        dtype = str(dtype).split(".")[-1]
    if dtype not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return dtype


def is_float_dtype(dtype) -> bool:
    """Whether `dtype` is a floating type (bfloat16 included)."""
    name = standardize_dtype(dtype)
    return name.startswith(("float", "bfloat"))


def is_int_dtype(dtype) -> bool:
    """Whether `dtype` is a signed or unsigned integer type."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


@functools.cache
def _upper_bounds() -> dict[str, set[str]]:
    bounds = {node: {node} for node in _LATTICE}
    for node in _LATTICE:
        frontier = [node]
        while frontier:
            above = [up for n in frontier for up in _LATTICE[n] if up not in bounds[node]]
            bounds[node].update(above)
            frontier = above
    return bounds


@functools.lru_cache(512)
def _least_upper_bound(*nodes: str) -> str:
    bounds = _upper_bounds()
    unknown = [n for n in nodes if n not in bounds]
    if unknown:
        raise ValueError(f"dtype={unknown[0]!r} is not a valid dtype for Keras type promotion.")
    common = set.intersection(*(bounds[n] for n in nodes))
    least = (common & set(nodes)) or {c for c in common if common <= bounds[c]}
    if len(least) != 1:
        raise ValueError(
            f"Input dtypes {tuple(str(n) for n in nodes)} have no available implicit dtype "
            "promotion path. Try explicitly casting inputs to the desired output type.")
    return least.pop()


def _weak_name(dtype: str) -> str:
    """The weak type standing for a Python scalar's dtype."""
    for kind in ("float", "int", "complex"):
        if kind in dtype:
            return kind
    return dtype


def _from_weak(kind: str) -> str:
    """A weak result resolved at `floatx()`'s precision."""
    bits = config.floatx()[-2:]
    if kind == "int":
        return f"int{bits}"
    return f"float{bits}" if kind == "float" else kind


def result_type(*dtypes) -> str:
    """The dtype Keras's type promotion gives for operands of `dtypes` (None is `floatx()`;
    Python `int` / `float` take the other operands' precision)."""
    if not dtypes:
        return config.floatx()
    if any(d in FLOAT8_TYPES for d in dtypes):
        raise ValueError("There is no implicit conversions from float8 dtypes to others. You "
                         f"must cast it internally. Received: {dtypes}")
    dtypes = tuple(config.floatx() if d is None else d for d in dtypes)
    weak = [d is int or d is float for d in dtypes]
    names = [standardize_dtype(d) for d in dtypes]
    if len(names) == 1 or (len(set(names)) == 1 and not all(weak)):
        result, result_weak = names[0], weak[0]
    elif all(weak):
        result, result_weak = _least_upper_bound(*set(names)), True
    else:
        nodes = {_weak_name(n) if w and n != "bool" else n for n, w in zip(names, weak,
                                                                           strict=True)}
        result = _least_upper_bound(*nodes)
        result_weak = result in ("int", "float")
    if result_weak and result != "bool":
        result = _from_weak(_weak_name(result))
    return _TO_32_BITS.get(result, result)
