"""`OptimizerState`: the variables an optimizer owns (counter, learning rate, slots) and
how they are created, listed, saved and restored, as Keras names and orders them."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from hocsau import config
from hocsau.variable import Variable


class OptimizerState:
    """Variable bookkeeping shared by all optimizers (the update logic is in `Optimizer`)."""

    def __init__(self, name: str):
        self.name = name
        self.built = False
        self._variables: list[Variable] = []
        self._trainable_variables: list = []
        self._trainable_variables_indices: dict[int, int] = {}
        self._overwritten_ids: set[int] = set()  # variables with `overwrite_with_gradient`
        self._host_step: int | None = None
        self._host_version = -1
        # Set by LossScaleOptimizer, whose skipped steps leave the counter put on the device:
        # the host cannot follow it without reading it back each step.
        self._counter_on_device_only = False

    @property
    def variables(self) -> list[Variable]:
        """The optimizer's own variables, in Keras's order (the order of saved files)."""
        return self._variables[:]

    def _new_variable(self, value: torch.Tensor, name: str) -> Variable:
        variable = Variable(value, dtype=value.dtype, trainable=False, name=name,
                            device=value.device)
        variable._path = f"{self.name}/{name}"
        self._track_variable(variable)
        return variable

    def _track_variable(self, variable: Variable) -> None:
        self._variables.append(variable)

    def _place_on(self, variables: list) -> None:
        """Move the variables created so far (counter, learning rate) next to the weights."""
        if not variables:
            return
        device = variables[0].device
        for own in self._variables:
            if own.device != device:
                own.data = own.data.to(device)
        self._host_step = None

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none",
                     layout=None, name=None, *, device=None) -> Variable:
        """A new non-trainable variable of the optimizer (on the counter's device)."""
        from hocsau import initializers

        dtype = config.standardize_dtype(dtype)
        value = initializers.get(initializer)(tuple(shape), dtype=dtype)
        value = torch.as_tensor(value, dtype=config.torch_dtype(dtype))
        return self._new_variable(value.to(device or self._iterations.device), name or "variable")

    def add_variable_from_reference(self, reference_variable, name=None,
                                    initializer="zeros") -> Variable:
        """A slot shaped like `reference_variable`, on its device, named after it
        (`dense_kernel_momentum` for `dense/kernel`)."""
        path = getattr(reference_variable, "path", None)
        if path is not None:
            prefix = path.replace("/", "_")
        else:
            prefix = str(getattr(reference_variable, "name", None) or "variable")
            prefix = prefix.replace("/", "_").replace(":", "_")
        slot = self._new_variable(_initial_like(reference_variable, initializer),
                                  f"{prefix}_{name or 'var'}")
        shard_of = getattr(reference_variable, "_shard_of", None)
        if shard_of is not None:  # a slot of a weight's chunk (ShardedDataParallel)
            slot._shard_of = shard_of
        return slot

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable for each name (interleaved per variable, as Keras orders
        them); a list for one name, a tuple of lists for several. A variable overwritten
        with its gradient (float8 scales) gets None: it never takes an update rule."""
        names = [name] if isinstance(name, str) else list(name)
        inits = initializer if isinstance(initializer, (list, tuple)) else [initializer] * len(
            names)
        if len(names) != len(inits):
            raise ValueError("The number of provided names must match the number of provided "
                             f"initializers.  Received name='{name}', "
                             f"initializer='{initializer}'")
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            overwritten = getattr(variable, "overwrite_with_gradient", False)
            for slot, slot_name, init in zip(slots, names, inits, strict=False):
                slot.append(None if overwritten
                            else self.add_variable_from_reference(variable, slot_name, init))
        return slots[0] if isinstance(name, str) else slots

    def _get_variable_index(self, variable) -> int:
        return self._trainable_variables_indices[id(variable)]

    # --- in-place updates for custom `update_step`s ------------------------------------------
    def assign(self, variable, value) -> None:
        with torch.no_grad():
            variable.copy_(value)

    def assign_add(self, variable, value) -> None:
        with torch.no_grad():
            variable.add_(value)

    def assign_sub(self, variable, value) -> None:
        with torch.no_grad():
            variable.sub_(value)

    # --- the step counter as a host number ---------------------------------------------------
    def _host_iterations(self) -> int:
        """`iterations` as a Python int, read from the device only after an outside change.

        Gradient accumulation and EMA overwrites branch on the step number; the optimizer
        counts its own increments, and the tensor's version counter tells when something
        else (an `assign`, loading a file) wrote to it.
        """
        counter = self._iterations
        if self._host_step is None or counter._version != self._host_version:
            self._host_step = int(counter)
            self._host_version = counter._version
        return self._host_step

    def _advance(self) -> None:
        counter = self._iterations
        if torch.compiler.is_compiling():  # no version counters there: forget the host copy
            counter.add_(1)
            self._host_step = None
            return
        tracked = self._host_step is not None and counter._version == self._host_version
        counter.add_(1)
        if tracked:
            self._host_step += 1
            self._host_version = counter._version

    # --- saving ------------------------------------------------------------------------------
    def set_weights(self, weights) -> None:
        """Set the variables from arrays, in the order of `variables`."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`.")
        for variable, weight in zip(self.variables, weights, strict=False):
            if tuple(variable.shape) != tuple(np.shape(weight)):
                raise ValueError(f"Optimizer variable {variable.path} has shape "
                                 f"{tuple(variable.shape)} not compatible with provided weight "
                                 f"shape {tuple(np.shape(weight))}.")
            variable.assign(weight)

    def save_own_variables(self, store) -> None:
        """Write the variables into `store` under "0", "1", ... (Keras's file layout)."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store) -> None:
        """Read the variables written by `save_own_variables` (skipped, with a warning, when
        the counts differ)."""
        variables = self.variables
        if len(store.keys()) != len(variables):
            message = (f"Skipping variable loading for optimizer '{self.name}', because it has "
                       f"{len(variables)} variables whereas the saved optimizer has "
                       f"{len(store.keys())} variables. ")
            if not variables:
                message += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(message, stacklevel=2)
            return
        for i, variable in enumerate(variables):
            variable.assign(store[str(i)])


def _initial_like(reference, initializer) -> torch.Tensor:
    if isinstance(initializer, str) and initializer == "zeros":
        return torch.zeros_like(reference, memory_format=torch.preserve_format).detach()
    if isinstance(initializer, (int, float)):
        return torch.full_like(reference, initializer).detach()
    from hocsau import initializers

    value = initializers.get(initializer)(tuple(reference.shape),
                                          dtype=config.standardize_dtype(reference.dtype))
    return torch.as_tensor(value, dtype=reference.dtype).to(reference.device)


def variable_path(variable) -> str:
    """A variable's Keras path, else its name, else "" (plain torch parameters have neither)."""
    return getattr(variable, "path", None) or getattr(variable, "name", None) or ""
