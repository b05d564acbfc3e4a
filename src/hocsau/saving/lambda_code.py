"""Python lambdas in configs: bytecode in Keras's format, refused on load unless allowed.

A lambda has no importable name, so Keras stores its code object (marshalled, base64) with
its default values and closure values. Two layouts exist and both are read:

    Lambda layer's `function`:    {"class_name": "__lambda__",
                                   "config": {"code": ..., "defaults": ..., "closure": ...}}
    any other value (activation): {"class_name": "__lambda__",
                                   "config": {"value": [code, defaults, closure]}}

Loading bytecode can run arbitrary code, so it is refused in safe mode (the default). The
bytecode only loads under the Python version that wrote it.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import marshal
import threading
import types
import warnings

import torch

from hocsau import config

_SCOPE = threading.local()
_REFUSAL = (
    "Requested the deserialization of a Python lambda. This carries a potential risk of "
    "arbitrary code execution and thus it is disallowed by default. If you trust the source "
    "of the artifact, you can override this error by passing `safe_mode=False` to the loading "
    "function, or calling `hocsau.config.enable_unsafe_deserialization()`.")


def func_dump(fn: types.FunctionType) -> tuple:
    """`(code, defaults, closure)`: base64 marshalled bytecode, default values, cell values."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(cell.cell_contents for cell in fn.__closure__) if fn.__closure__ else None
    return code, fn.__defaults__, closure


def func_load(code: str, defaults=None, closure=None, globs: dict | None = None):
    """Rebuild a function from `func_dump`'s parts.

    Global names in its body resolve among the builtins and `torch`, unless `globs` is given.
    """
    try:
        code_object = marshal.loads(base64.decodebytes(code.encode("ascii")))
    except (binascii.Error, ValueError, EOFError, TypeError) as error:
        raise ValueError("Could not load the bytecode of a serialized lambda (it may come from "
                         f"another Python version). Received: code={code[:40]!r}...") from error
    if globs is None:
        globs = {"__builtins__": builtins, "torch": torch}
    cells = tuple(types.CellType(value) for value in closure) if closure is not None else None
    return types.FunctionType(code_object, globs, code_object.co_name,
                              tuple(defaults) if defaults is not None else None, cells)


def serialize_lambda(fn: types.FunctionType) -> dict:
    """A lambda as Keras's generic `__lambda__` config (the `"value"` layout), with Keras's
    warning that reloading it will need `safe_mode=False`."""
    warnings.warn("The object being serialized includes a `lambda`. This is unsafe. In order "
                  "to reload the object, you will have to pass `safe_mode=False` to the loading "
                  "function. Please avoid using `lambda` in the future, and use named Python "
                  "functions instead.", stacklevel=2)
    return {"class_name": "__lambda__", "config": {"value": list(func_dump(fn))}}


def deserialize_lambda(config_dict: dict, safe_mode: bool | None = True):
    """The function from the inner config of a `__lambda__` entry (either layout).

    Raises:
        ValueError: in safe mode, explaining how to allow it.
    """
    check_unsafe_allowed(safe_mode)
    if "value" in config_dict:
        return func_load(*config_dict["value"])
    return func_load(config_dict["code"], config_dict.get("defaults"), config_dict.get("closure"))


def check_unsafe_allowed(safe_mode: bool | None = True) -> None:
    """Raise Keras's refusal unless bytecode loading is allowed.

    An enclosing `SafeModeScope` decides first, then `enable_unsafe_deserialization()`, then
    `safe_mode` (None counts as True).
    """
    decided = in_safe_mode()
    if decided is not None:
        safe_mode = decided
    if safe_mode is not False:
        raise ValueError(_REFUSAL)


def in_safe_mode() -> bool | None:
    """The safe mode of the enclosing `SafeModeScope`, False after
    `enable_unsafe_deserialization()`, else None (undecided: callers default to safe)."""
    scoped = getattr(_SCOPE, "safe_mode", None)
    if scoped is not None:
        return scoped
    return False if config._UNSAFE_DESERIALIZATION else None


class SafeModeScope:
    """`with SafeModeScope(safe_mode):` passes a loader's `safe_mode` down to nested
    `from_config` calls (a Lambda layer deep inside a model)."""

    def __init__(self, safe_mode: bool | None = True):
        self.safe_mode = safe_mode
        self._saved = None

    def __enter__(self):
        self._saved = getattr(_SCOPE, "safe_mode", None)
        _SCOPE.safe_mode = self.safe_mode
        return self

    def __exit__(self, *exc):
        _SCOPE.safe_mode = self._saved
