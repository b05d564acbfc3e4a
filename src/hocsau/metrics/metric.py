"""`Metric`: state that accumulates on the device across batches, read out by `result()`."""

from __future__ import annotations

import abc

import torch

from hocsau import config, dtype_policies
from hocsau.metrics import _utils
from hocsau.saving.serialization import keras_class
from hocsau.utils.naming import to_snake_case, uniquify
from hocsau.variable import Variable

# Keras's aggregations, then hocsau's "max" / "min" (e.g. a running maximum as a state).
AGGREGATIONS = ("none", "mean", "sum", "only_first_replica", "max", "min")


@keras_class("keras.metrics")
class Metric(abc.ABC):
    """Base class of stateful metrics.

    A subclass creates its state in `__init__` with `add_variable`, adds to it in
    `update_state` with in-place device operations (never reading a value back to the host),
    and computes the value from it in `result`, which returns a tensor (0-d for scalars).

    ```python
    m = SomeMetric()
    for y_true, y_pred in batches:
        m.update_state(y_true, y_pred)
    value = float(m.result())
    ```

    Args:
        dtype: the dtype of the metric's computations and state (default `floatx()`); a dtype
            policy contributes its compute dtype.
        name: the metric's name (default: the class name in snake case, made unique).
    """

    def __init__(self, dtype=None, name: str | None = None):
        self.name = name or uniquify(to_snake_case(type(self).__name__))
        self._dtype = dtype_policies.get(dtype or config.floatx()).compute_dtype
        self._device = config.device()
        self._variables: list[Variable] = []

    @property
    def dtype(self) -> str:
        """The dtype of the metric's computations, as a string ("float32")."""
        return self._dtype

    @property
    def variables(self) -> list[Variable]:
        """The state variables, in creation order."""
        return list(self._variables)

    def add_variable(self, shape, initializer, dtype=None, aggregation: str = "sum",
                     name: str | None = None) -> Variable:
        """Create a non-trainable state variable on the metric's device.

        Args:
            shape: the variable's shape.
            initializer: an initializer (name, callable or config) or an initial array.
            dtype: its dtype (default: the metric's).
            aggregation: how the processes' states combine under a distribution: "sum"
                (counts, totals), "mean", "only_first_replica" (the chief's), "none" (each
                keeps its own), or the hocsau extensions "max" / "min".
            name: its short name; its path is "<metric name>/<name>".
        """
        if not hasattr(self, "_variables"):
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` "
                               "method. Go add it!")
        aggregation = "none" if aggregation is None else aggregation
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"Invalid value for argument `aggregation`. Expected one of "
                             f"{AGGREGATIONS}. Received: aggregation={aggregation!r}")
        variable = Variable(initializer, shape=shape, dtype=dtype or self.dtype,
                            trainable=False, name=name, device=self._device)
        variable._aggregation = aggregation
        variable._path = f"{self.name.replace('/', '>')}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, aggregation: str = "sum",
                   name: str | None = None):
        """Alias of `add_variable` kept from Keras 2."""
        return self.add_variable(shape, initializer, dtype=dtype, aggregation=aggregation,
                                 name=name)

    def _add_zeros(self, name: str, shape=(), dtype=None) -> Variable:
        """A state variable starting at zero (the common case)."""
        dtype = dtype or self.dtype
        return self.add_variable(shape, torch.zeros(tuple(shape), dtype=config.torch_dtype(dtype)),
                                 dtype=dtype, name=name)

    def _tensor(self, x, dtype=None) -> torch.Tensor:
        """An input as a detached tensor on the state's device."""
        return _utils.as_tensor(x, dtype, self._device).detach()

    @abc.abstractmethod
    def update_state(self, *args, **kwargs) -> None:
        """Accumulate the statistics of one batch."""

    @abc.abstractmethod
    def result(self) -> torch.Tensor:
        """The current value, computed from the state."""

    def reset_state(self) -> None:
        """Set every state variable back to zero (between epochs)."""
        with torch.no_grad():
            for variable in self.variables:
                variable.zero_()

    def __call__(self, *args, **kwargs) -> torch.Tensor:
        """Update the state with one batch and return the new result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
