"""`LossScaleOptimizer`: dynamic loss scaling for float16 training."""

from __future__ import annotations

import torch

from hocsau.distribution import sharded_step
from hocsau.optimizers.optimizer import Optimizer
from hocsau.saving.serialization import keras_class, serialize_keras_object

_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                  "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                  "ema_overwrite_frequency": None, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None}


@keras_class("keras.optimizers")
class LossScaleOptimizer(Optimizer):
    """Wraps an optimizer with a loss scale that adapts to keep float16 gradients finite.

    `scale_loss` multiplies the loss by the scale; `apply` divides the gradients by it. A
    step whose gradients hold an inf or NaN is skipped (the inner optimizer's variables and
    the weights keep their values) and halves the scale; after `dynamic_growth_steps`
    finite steps in a row the scale doubles.

    The check never reads the gradients back to the host: a fused pass per device flags an
    inf / NaN in the divided gradients (`torch._amp_foreach_non_finite_check_and_unscale_`,
    GradScaler's kernel), the inner step always runs and a skipped step is undone on the
    device from a copy of the state taken before it (buffers kept across steps: the memory
    of one copy of the weights and optimizer slots). So the host never waits for the device
    in a step (torch's GradScaler reads the flag back to decide whether to step). Only
    `gradient_accumulation_steps` and `ema_overwrite_frequency` on the inner optimizer, which
    branch on the step number on the host, then read the counter back each step.

    Args:
        inner_optimizer: the optimizer that updates the weights.
        initial_scale: the starting loss scale.
        dynamic_growth_steps: finite steps after which the scale doubles.
        name: name of the optimizer.
    """

    def __init__(self, inner_optimizer, initial_scale=2.0**15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, "
                             "simply set `loss_scale_factor` directly on the `inner_optimizer`.")
        # Older configs list the base arguments; only their defaults are accepted.
        for arg_name, default in _BASE_DEFAULTS.items():
            if arg_name in kwargs and kwargs.pop(arg_name) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg_name}`. Instead, "
                                 f"set `{arg_name}` on the `inner_optimizer`.")
        if kwargs:
            raise ValueError("LossScaleOptimizer does not support arguments: "
                             f"`{'`, `'.join(kwargs)}`.")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        # The inner optimizer must not unscale the gradients a second time, and its step
        # counter may stay put on a skipped step, unseen by the host.
        self.inner_optimizer.loss_scale_factor = None
        self.inner_optimizer._counter_on_device_only = True
        self._saved, self._saved_for = [], None  # see `_save`

    def build(self, var_list) -> None:
        var_list = list(var_list)
        self._place_on(var_list)
        device = self._iterations.device
        self.step_counter = self._new_variable(
            torch.zeros((), dtype=torch.int64, device=device), "step_counter")
        self.dynamic_scale = self._new_variable(
            torch.tensor(float(self.initial_scale), dtype=torch.float32, device=device),
            "dynamic_scale")
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self) -> list:
        return self._variables + self.inner_optimizer.variables

    def apply(self, grads, trainable_variables=None) -> None:
        sharded_step.refuse_loss_scaling(self)  # its skip decision needs whole gradients
        if not self.built:
            self.build(trainable_variables)
        grads = list(grads)
        variables = self._trainable_variables if trainable_variables is None \
            else list(trainable_variables)
        with torch.no_grad():
            unscaled, finite = self._unscale(grads)
            if self._overwritten_ids:  # as Keras: values to write over, never unscaled
                unscaled = [g if id(v) in self._overwritten_ids else u
                            for g, u, v in zip(grads, unscaled, variables, strict=True)]
            state = list(self._trainable_variables) + self.inner_optimizer.variables
            saved = self._save(state)
        self.inner_optimizer.apply(unscaled, trainable_variables=variables)
        with torch.no_grad():
            for tensor, before in zip(state, saved, strict=True):
                torch.where(finite, tensor, before, out=tensor)
            self._update_scale(finite)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_saved"], state["_saved_for"] = [], None  # scratch, not copied or pickled
        return state

    def _save(self, state: list) -> list:
        """A copy of `state` in buffers kept across steps (one multi-tensor copy per step,
        no new allocations), to undo a skipped step from."""
        key = tuple(map(id, state))
        if self._saved_for != key:
            self._saved = [torch.empty_like(t) for t in state]
            self._saved_for = key
        torch._foreach_copy_(self._saved, state)
        return self._saved

    def _unscale(self, grads: list) -> tuple[list, torch.Tensor]:
        """(the gradients divided by the scale (None stays None), a 0-d bool tensor: all
        finite), with multi-tensor kernels per device (several with model parallelism)."""
        unscaled = list(grads)
        present = [i for i, g in enumerate(grads) if g is not None]
        if not present:  # nothing to check; the inner optimizer reports the missing gradients
            return unscaled, torch.ones((), dtype=torch.bool)
        scale = self.dynamic_scale
        flags = []
        for device, indices in _by_device(grads, present).items():
            # Divided exactly as Keras does, then flagged by the fused check (times one).
            divided = torch._foreach_div([grads[i] for i in indices],
                                         scale.to(device, non_blocking=True))
            found = torch.zeros((), dtype=torch.float32, device=device)
            torch._amp_foreach_non_finite_check_and_unscale_(
                divided, found, torch.ones((), dtype=torch.float32, device=device))
            flags.append(found.to(scale.device, non_blocking=True))
            for i, g in zip(indices, divided, strict=True):
                unscaled[i] = g
        return unscaled, torch.stack(flags).sum() == 0

    def _update_scale(self, finite: torch.Tensor) -> None:
        grow = finite & (self.step_counter == self.dynamic_growth_steps - 1)
        self.step_counter.copy_(torch.where(finite & ~grow, self.step_counter + 1, 0))
        factor = torch.where(finite, torch.where(grow, 2.0, 1.0), 0.5)
        self.dynamic_scale.mul_(factor.to(self.dynamic_scale.device))

    def check_finite(self, grads) -> torch.Tensor:
        """True (a 0-d bool tensor) when no gradient holds an inf or a NaN."""
        present = [g for g in grads if g is not None]
        if not present:  # nothing to check; the inner optimizer reports the missing gradients
            return torch.ones((), dtype=torch.bool)
        device = present[0].device
        return torch.stack([torch.isfinite(g).all().to(device) for g in present]).all()

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self) -> torch.Tensor:
        return self.inner_optimizer.iterations

    def scale_loss(self, loss):
        """The loss times the current scale (the initial one before the first step)."""
        return loss * (self.dynamic_scale if self.built else self.initial_scale)

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict:
        return {"name": self.name,
                "inner_optimizer": serialize_keras_object(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        from hocsau.optimizers import deserialize

        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner, **config)


def _by_device(grads: list, indices: list) -> dict:
    """Indices of the gradients grouped by device (the fused check takes one device)."""
    groups = {}
    for i in indices:
        groups.setdefault(grads[i].device, []).append(i)
    return groups
