"""`name_scope`: a prefix for the paths of the variables created inside it."""

from __future__ import annotations

import threading

_STACK = threading.local()


def _stack() -> list:
    if not hasattr(_STACK, "scopes"):
        _STACK.scopes = []
    return _STACK.scopes


class name_scope:  # noqa: N801 - Keras's public name
    """`with name_scope("block"):` makes new variables' paths read "block/<name>".

    Args:
        name: the scope name (no "/").
        caller: the object opening the scope; with `deduplicate`, re-entering the same
            caller's scope of the same name adds no level.
        deduplicate: see `caller`.
        override_parent: an absolute path replacing the enclosing scopes.
    """

    def __init__(self, name: str, caller=None, deduplicate: bool = True,
                 override_parent: str | None = None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name}")
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        if override_parent is None and deduplicate and \
                getattr(caller, "_parent_path", None) is not None:
            self.override_parent = caller._parent_path
        self._pushed = False

    def __enter__(self):
        stack = _stack()
        if self.deduplicate and stack and self.caller is not None and \
                stack[-1].caller is self.caller and stack[-1].name == self.name:
            return self
        stack.append(self)
        self._pushed = True
        return self

    def __exit__(self, *exc) -> None:
        if self._pushed:
            _stack().pop()
            self._pushed = False


def current_path() -> str:
    """The "/"-joined names of the open scopes ("" outside any)."""
    parts: list[str] = []
    for scope in _stack():
        if scope.override_parent is not None:
            parts = [p for p in scope.override_parent.split("/") if p]
        parts.append(scope.name)
    return "/".join(parts)
