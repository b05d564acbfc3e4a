"""`Variable`: a `torch.nn.Parameter` that carries Keras's name, path and trainable flag."""

from __future__ import annotations

import numpy as np
import torch

from hocsau import config


class Variable(torch.nn.Parameter):
    """A weight with the Keras variable API (`assign`, `numpy`, `name`, `path`, `trainable`).

    It is a real `torch.nn.Parameter`: torch optimizers and `module.parameters()` see it, and
    arithmetic on it returns plain tensors, so it costs nothing in the forward pass.

    Args:
        initializer: an initializer (string, callable taking `(shape, dtype)`), or an array.
        shape: the shape, needed when `initializer` is not an array.
        dtype: the dtype (default `config.floatx()`).
        trainable: whether the optimizer updates it.
        name: the short Keras name ("kernel"); `path` adds the owner's name ("dense/kernel").
    """

    def __new__(cls, initializer=None, shape=None, dtype=None, trainable=True, name=None,
                *, device=None):
        data = _initial_value(initializer, shape, dtype, device)
        is_float = data.is_floating_point() or data.is_complex()
        self = torch.Tensor._make_subclass(cls, data, bool(trainable) and is_float)
        self._name = name or "variable"
        self._path = _scoped(self._name)
        self._trainable = bool(trainable)
        self.constraint = None
        self.regularizer = None
        self._aggregation = "none"
        self._overwrite_with_gradient = False
        return self

    def __init__(self, *args, **kwargs):
        pass  # everything happens in __new__, as for nn.Parameter

    # --- Keras attributes -------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def path(self) -> str:
        return self._path

    @property
    def trainable(self) -> bool:
        """Whether the optimizer updates it; freezing a layer sets this (and `requires_grad`)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        if self.is_floating_point() or self.is_complex():
            self.requires_grad_(self._trainable)

    @property
    def aggregation(self) -> str:
        """How the processes' copies combine under a distribution ("none", "mean", "sum",
        "only_first_replica"; metrics also accept "max" / "min")."""
        return self._aggregation

    @property
    def overwrite_with_gradient(self) -> bool:
        """Whether the optimizer replaces the value by its "gradient" instead of applying an
        update rule (float8's scales and amax histories, whose backward computes them)."""
        return self._overwrite_with_gradient

    @overwrite_with_gradient.setter
    def overwrite_with_gradient(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise TypeError(f"`overwrite_with_gradient` must be a boolean. Received: {value}")
        self._overwrite_with_gradient = value

    @property
    def value(self) -> torch.Tensor:
        return self

    @property
    def ndim(self) -> int:
        return self.dim()

    # --- state changes ----------------------------------------------------------------------
    def assign(self, value) -> Variable:
        value = check_value_dtype(self, _to_array(value), f"Variable '{self._path}'")
        with torch.no_grad():
            self.copy_(torch.as_tensor(value, dtype=self.dtype).reshape(self.shape))
        return self

    def assign_add(self, value) -> Variable:
        value = check_value_dtype(self, _to_array(value), f"Variable '{self._path}'")
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value) -> Variable:
        value = check_value_dtype(self, _to_array(value), f"Variable '{self._path}'")
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """A copy of the value (later updates do not show through it); `force` is
        `Tensor.numpy`'s, accepted so torch tools (the ONNX exporter) can call it."""
        return self.detach().cpu().numpy(force=force).copy()

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    # --- copying and pickling keep the class and the Keras attributes -------------------------
    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = _rebuild_variable(self.detach().clone(), self._state())
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_variable, (self.detach().cpu(), self._state()))

    def _state(self) -> dict:
        return {"name": self._name, "path": self._path, "trainable": self._trainable,
                "constraint": self.constraint, "regularizer": self.regularizer,
                "aggregation": self._aggregation,
                "overwrite_with_gradient": self._overwrite_with_gradient}

    def __repr__(self) -> str:
        return (f"<Variable path={self._path}, shape={tuple(self.shape)}, "
                f"dtype={config.standardize_dtype(self.dtype)}, "
                f"value={self.detach().cpu().numpy()}>")


def _scoped(name: str) -> str:
    """`name` under the open `hocsau.name_scope`s ("block/kernel")."""
    from hocsau.backend.name_scope import current_path

    parent = current_path()
    return f"{parent}/{name}" if parent else name


def _rebuild_variable(data: torch.Tensor, state: dict) -> Variable:
    var = Variable(data, trainable=state["trainable"], name=state["name"], device=data.device)
    var._path = state["path"]
    var.constraint = state["constraint"]
    var.regularizer = state["regularizer"]
    var._aggregation = state.get("aggregation", "none")
    var._overwrite_with_gradient = state.get("overwrite_with_gradient", False)
    return var


def check_value_dtype(variable: torch.Tensor, value, owner: str):
    """`value` (an array or tensor), unless casting it to the variable's dtype would lose it:
    complex values for a real variable (the imaginary part would be dropped), strings or
    objects. Then a `TypeError` naming `owner`."""
    if isinstance(value, torch.Tensor):
        kind = "c" if value.is_complex() else "f"
    else:
        kind = np.asarray(value).dtype.kind
    problem = ("complex values: casting them would drop the imaginary part"
               if kind == "c" and not variable.is_complex()
               else "non-numeric values" if kind in "USOV" else None)
    if problem is None:
        return value
    dtype = value.dtype if isinstance(value, torch.Tensor) else np.asarray(value).dtype
    raise TypeError(f"{owner} has dtype {config.standardize_dtype(variable.dtype)}, but was "
                    f"given {problem}. Received: a value of dtype {dtype} and shape "
                    f"{tuple(np.shape(value))}")


def _to_array(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    return np.asarray(value)


def _initial_value(initializer, shape, dtype, device) -> torch.Tensor:
    device = torch.device(config.device() if device is None else device)
    # A sublayer built while its parent is traced on the meta device gets real weights.
    with torch.device(device):
        return _value_from(initializer, shape, dtype).detach().to(device).clone()


def _value_from(initializer, shape, dtype) -> torch.Tensor:
    if callable(initializer) or isinstance(initializer, (str, dict)):
        from hocsau import initializers

        if shape is None:
            raise ValueError("A Variable built from an initializer needs a `shape`. "
                             "Received: shape=None")
        tdtype = config.torch_dtype(dtype)
        with torch.no_grad():
            value = initializers.get(initializer)(tuple(shape),
                                                  dtype=config.standardize_dtype(tdtype))
        value = torch.as_tensor(value, dtype=tdtype)
    else:
        if initializer is None:
            raise ValueError("A Variable needs an `initializer` or an initial value. "
                             "Received: None")
        value = torch.as_tensor(_to_array(initializer))
        if dtype is not None:
            value = value.to(config.torch_dtype(dtype))
        elif value.is_floating_point():
            value = value.to(config.torch_dtype(None))
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(f"Initial value has shape {tuple(value.shape)}, expected "
                             f"{tuple(shape)}.")
    return value
