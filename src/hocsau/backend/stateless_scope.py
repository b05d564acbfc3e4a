"""`StatelessScope`: run code with chosen variable values, recording updates instead of
applying them.

Inside the scope a torch function mode stands in for the variables: every torch function
receives a mapped variable's value instead of the variable (so gradients reach the mapped
tensors), and an in-place update of any `Variable` (`assign`, `copy_`, `add_`, `x[i] = ...`,
`torch._foreach_*_`) is applied to a copy stored in the scope; the variables never change.
"""

from __future__ import annotations

import threading

import torch
from torch.overrides import TorchFunctionMode

from hocsau.variable import Variable

_STATE = threading.local()
_IN_PLACE_DUNDERS = {"__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__",
                     "__ifloordiv__", "__ipow__", "__imod__", "__iand__", "__ior__", "__ixor__"}
_METADATA_OPS = {"requires_grad_", "share_memory_", "retain_grad"}


class StatelessScope:
    """`with StatelessScope([(variable, value), ...]) as scope:` computes with those values;
    updates made inside are read back with `scope.get_current_value(variable)`.

    Args:
        state_mapping: `(Variable, value)` pairs; values must match the variables' shapes.
        collect_losses: collect the losses layers add inside the scope in `scope.losses`.
        initialize_variables: accepted for Keras compatibility (hocsau variables hold their
            initial values from creation on).
    """

    def __init__(self, state_mapping=None, collect_losses: bool = False,
                 initialize_variables: bool = True):
        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self.losses: list = []
        self.state_mapping: dict[int, torch.Tensor] = {}
        for variable, value in state_mapping or ():
            self.state_mapping[id(variable)] = _checked_value(variable, value)
        self._mode = None

    def __enter__(self):
        self._previous = get_stateless_scope()
        _STATE.scope = self
        self._mode = _ValueMode(self)
        self._mode.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._mode.__exit__(*exc)
        _STATE.scope = self._previous

    def add_loss(self, loss) -> None:
        self.losses.append(loss)

    def add_update(self, update) -> None:
        """Record `(variable, new_value)`: later reads in the scope see the new value."""
        variable, value = update
        self.state_mapping[id(variable)] = value

    def get_current_value(self, variable):
        """The variable's value in this scope (None if it was neither mapped nor updated)."""
        return self.state_mapping.get(id(variable))


def _checked_value(variable, value) -> torch.Tensor:
    if not isinstance(variable, Variable):
        raise ValueError("Invalid reference variable in StatelessScope: all keys in argument "
                         f"`mapping` must be Variable instances. Received instead: {variable}")
    if isinstance(value, torch.Tensor):
        value = value.to(variable.dtype)
    else:
        value = torch.as_tensor(value, dtype=variable.dtype, device=variable.device)
    if tuple(value.shape) != tuple(variable.shape):
        raise ValueError("Invalid variable value in StatelessScope: all values in argument "
                         "`mapping` must be tensors with a shape that matches the "
                         f"corresponding variable shape. For variable {variable.path}, "
                         f"received invalid value with shape {tuple(value.shape)}.")
    return value


class _ValueMode(TorchFunctionMode):
    def __init__(self, scope: StatelessScope):
        super().__init__()
        self.scope = scope

    def _value(self, item):
        if isinstance(item, Variable):
            return self.scope.state_mapping.get(id(item), item)
        if isinstance(item, (list, tuple)):
            return type(item)(self._value(v) for v in item)
        return item

    def _copy(self, variable: Variable) -> torch.Tensor:
        current = self.scope.state_mapping.get(id(variable))
        return (variable.detach() if current is None else current).clone()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if args and _in_place(func):
            target = args[0]
            if isinstance(target, Variable):
                return self._update([target], func, args, kwargs, single=True)
            if isinstance(target, (list, tuple)) and any(isinstance(v, Variable)
                                                         for v in target):
                return self._update(list(target), func, args, kwargs, single=False)
        args = tuple(self._value(a) for a in args)
        kwargs = {k: self._value(v) for k, v in kwargs.items()}
        return func(*args, **kwargs)

    def _update(self, targets, func, args, kwargs, single: bool):
        copies = [self._copy(t) if isinstance(t, Variable) else t for t in targets]
        rest = tuple(self._value(a) for a in args[1:])
        func(copies[0] if single else copies, *rest, **kwargs)
        for target, value in zip(targets, copies, strict=True):
            if isinstance(target, Variable):
                self.scope.add_update((target, value))
        return targets[0] if single else None


def _in_place(func) -> bool:
    name = getattr(func, "__name__", "")
    if name in _IN_PLACE_DUNDERS:
        return True
    return name.endswith("_") and not name.endswith("__") and name not in _METADATA_OPS


def get_stateless_scope():
    return getattr(_STATE, "scope", None)


def in_stateless_scope() -> bool:
    return get_stateless_scope() is not None


def record_loss(loss) -> None:
    """Called by `Layer.add_loss`: collect the loss in the enclosing scope if it asks."""
    from hocsau.backend.symbolic_scope import in_symbolic_scope

    scope = get_stateless_scope()
    if scope is not None and scope.collect_losses and not in_symbolic_scope():
        scope.add_loss(loss)


__all__ = ["StatelessScope", "get_stateless_scope", "in_stateless_scope", "record_loss"]
