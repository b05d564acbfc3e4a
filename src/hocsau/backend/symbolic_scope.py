"""`SymbolicScope`: marks code running on symbolic tensors (shape inference, graph tracing)."""

from __future__ import annotations

import threading

_STATE = threading.local()


class SymbolicScope:
    """`with SymbolicScope():` tells layers they are being traced, not run: losses added in
    it are not collected by an enclosing `StatelessScope`."""

    def __enter__(self):
        self._previous = get_symbolic_scope()
        _STATE.scope = self
        return self

    def __exit__(self, *exc) -> None:
        _STATE.scope = self._previous


def get_symbolic_scope():
    return getattr(_STATE, "scope", None)


def in_symbolic_scope() -> bool:
    return get_symbolic_scope() is not None
