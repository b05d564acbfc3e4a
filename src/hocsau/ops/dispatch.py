"""The `op` decorator, where tensor functions meet symbolic tensors, and the missing-name error.

Every public op is plain eager torch code. Wrapped with `op`, it also accepts the symbolic
tensors of a functional model: when one appears among its arguments (at any depth of lists,
tuples and dicts) the call is recorded as a graph node instead of being run.
"""

from __future__ import annotations

import difflib
import functools

import torch

# Types that are never symbolic and hold nothing symbolic: the common case skips the checks.
_PLAIN = frozenset({torch.Tensor, int, float, bool, str, type(None)})


def _has_symbolic(value) -> bool:
    kind = type(value)
    if kind in _PLAIN:
        return False
    if getattr(kind, "_is_symbolic", False):
        return True
    if kind in (list, tuple):
        for item in value:
            if _has_symbolic(item):
                return True
    elif kind is dict:
        for item in value.values():
            if _has_symbolic(item):
                return True
    return False


def op(fn):
    """Make `fn` record a graph node when it receives a symbolic tensor, else run it."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for value in args:
            if type(value) not in _PLAIN and _has_symbolic(value):
                break
        else:
            for value in kwargs.values():
                if type(value) not in _PLAIN and _has_symbolic(value):
                    break
            else:
                return fn(*args, **kwargs)
        from hocsau.models.symbolic import record_op

        return record_op(fn, args, kwargs)

    return wrapper


def missing_attribute(module_name: str, namespace: dict):
    """A module `__getattr__` raising an AttributeError that suggests the nearest names."""

    def __getattr__(name: str):
        public = [key for key in namespace if not key.startswith("_")]
        close = difflib.get_close_matches(name, public, n=3)
        hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
        raise AttributeError(f"{module_name} has no function {name!r}.{hint}")

    return __getattr__
