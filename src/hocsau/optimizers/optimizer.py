"""`Optimizer`: the base of hocsau's optimizers, with Keras 3's API and update semantics.

One `apply` call, sketched:

    grads <- the non-None gradients (warn about the others), divided by loss_scale_factor
    if gradient accumulation and not the last micro-step: accumulators += grads
    else:
        grads <- clipped (clipnorm | global_clipnorm | clipvalue)
        variables *= 1 - weight_decay * lr                       (decoupled weight decay)
        for each (device, dtype) group: _update_step(group, grads, lr)   (multi-tensor ops)
    EMA of the weights, constraints, iterations += 1

Everything happens on the variables' device: the learning rate (or schedule) and the
bias corrections are computed from the `iterations` tensor, never read back to the host.
"""

from __future__ import annotations

import re
import warnings

import torch

from hocsau import config
from hocsau.distribution import sharded_step, trainer_hooks
from hocsau.optimizers import _clipping
from hocsau.optimizers._arguments import check_base_arguments
from hocsau.optimizers._plan import Group, Plan, make_plan
from hocsau.optimizers._state import OptimizerState, variable_path
from hocsau.optimizers.schedules import LearningRateSchedule
from hocsau.optimizers.schedules import deserialize as deserialize_schedule
from hocsau.saving.serialization import keras_class, serialize_keras_object
from hocsau.utils.naming import to_snake_case, uniquify


@keras_class("keras.optimizers")
class Optimizer(OptimizerState):
    """Base class of the optimizers.

    A custom optimizer overrides `build` (call `super().build(variables)`, then create slots
    with `add_optimizer_variables`), `update_step(gradient, variable, learning_rate)` (one
    variable; use `self.assign*`) or, for speed, `_update_step(group, grads, learning_rate)`
    (a list of same-device, same-dtype variables), and `get_config`.

    Args:
        learning_rate: a float, a `LearningRateSchedule`, or a callable without arguments.
        weight_decay: if set, decoupled weight decay: `v -= v * weight_decay * lr` per step.
        clipnorm: if set, each gradient is clipped to this L2 norm.
        clipvalue: if set, each gradient entry is clipped to `[-clipvalue, clipvalue]`.
        global_clipnorm: if set, all gradients are scaled to this global L2 norm.
        use_ema: keep an exponential moving average of the weights.
        ema_momentum: `average = m * average + (1 - m) * weight`.
        ema_overwrite_frequency: every this many steps, the weights take their average.
        loss_scale_factor: `scale_loss` multiplies the loss by it, `apply` divides the
            gradients by it.
        gradient_accumulation_steps: update every this many steps with the mean gradient.
        name: name of the optimizer (prefix of its variables' paths).
    """

    # Whether each entry is updated from its own gradient and slots only, so a process may
    # update a slice of a flattened weight (ShardedDataParallel); False for updates that need
    # whole matrices or norms.
    _entrywise = True

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.",
                          stacklevel=2)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        check_base_arguments(clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, gradient_accumulation_steps)
        super().__init__(name or uniquify(to_snake_case(type(self).__name__)))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._excluded: list = []
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None
        self._decay_cache: dict[int, bool] = {}
        self._plans: dict[tuple, Plan] = {}
        self._all: Plan | None = None
        self._iterations = self._new_variable(torch.zeros((), dtype=torch.int64,
                                                          device=config.device()), "iteration")
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        elif isinstance(learning_rate, float):
            self._learning_rate = self._new_variable(
                torch.tensor(learning_rate, dtype=config.torch_dtype(None),
                             device=config.device()), "learning_rate")
        else:
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of "
                "LearningRateSchedule, or a callable (that takes in the current iteration "
                "value and returns the corresponding learning rate value). "
                f"Received instead: learning_rate={learning_rate}")

    # --- step counter and learning rate ------------------------------------------------------
    @property
    def iterations(self) -> torch.Tensor:
        """Steps applied so far (optimizer updates, when accumulating gradients)."""
        if self.gradient_accumulation_steps:
            return torch.div(self._iterations, self.gradient_accumulation_steps,
                             rounding_mode="floor")
        return self._iterations

    @property
    def learning_rate(self):
        """The current learning rate: the variable, or the schedule's value at this step."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            return self._learning_rate(self._iterations)
        if isinstance(self._learning_rate, torch.Tensor):
            return self._learning_rate
        return self._learning_rate()

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        previous = self._learning_rate
        if isinstance(value, LearningRateSchedule) or callable(value):
            self._learning_rate = value
            if isinstance(previous, torch.Tensor):
                self._variables = [v for v in self._variables if v is not previous]
            return
        if not isinstance(previous, torch.Tensor):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument.")
        previous.assign(value)

    def _lr_tensor(self) -> torch.Tensor:
        lr = self.learning_rate
        if isinstance(lr, torch.Tensor):
            return lr
        return torch.as_tensor(lr, dtype=config.torch_dtype(None), device=self._iterations.device)

    # --- building ----------------------------------------------------------------------------
    def build(self, variables) -> None:
        """Create the state for `variables`; subclasses then add their slots."""
        variables = list(variables)
        self._place_on(variables)
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average")
        if self.gradient_accumulation_steps:  # one per variable, overwritten ones included
            self._accumulated_gradients = [
                self.add_variable_from_reference(v, "gradient_accumulator") for v in variables]
        self._trainable_variables = variables[:]
        self._trainable_variables_indices = {id(v): i for i, v in enumerate(variables)}
        self._overwritten_ids = {id(v) for v in variables if _overwritten(v)}
        self._plans.clear()
        updated = [v for v in variables if not _overwritten(v)]
        self._all = make_plan(updated, None, self._trainable_variables_indices, _never)
        self.built = True

    def _check_variables_are_known(self, variables) -> None:
        for variable in variables:
            if id(variable) not in self._trainable_variables_indices:
                raise ValueError(
                    f"Unknown variable: {_label(variable)}. This optimizer can only be called "
                    "for the variables it was originally built with. When working with a new "
                    "set of variables, you should recreate a new optimizer instance.")

    # --- applying gradients ------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars) -> torch.Tensor:
        """Apply `(gradient, variable)` pairs; returns the iteration counter."""
        grads, variables = zip(*grads_and_vars, strict=False)
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        """Update the variables in place from their gradients (None gradients are skipped).

        Args:
            grads: one gradient (or None) per variable.
            trainable_variables: the variables; optional once the optimizer is built, in
                which case `grads` follow the variables it was built with.
        """
        grads = list(grads)
        if not grads:
            return
        if sharded_step.route(self, grads, trainable_variables):  # ShardedDataParallel
            return
        self._apply(grads, trainable_variables)

    def _apply(self, grads: list, trainable_variables=None, reduce: bool = True) -> None:
        """`apply` on this process's variables; `reduce`: average the gradients over the
        processes first when data parallel training did not (custom steps)."""
        if trainable_variables is None:
            trainable_variables = self._built_variables()
            if len(grads) != len(trainable_variables):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the gradients must "
                    f"match `optimizer.variables` one-to-one. Received a list of {len(grads)} "
                    f"gradients, but the optimizer is tracking "
                    f"{len(trainable_variables)} trainable variables.")
        elif not self.built:
            self.build(list(trainable_variables))
        with torch.no_grad():
            if self._overwritten_ids:
                trainable_variables = list(trainable_variables)
                if reduce:  # the overwritten values too, so the processes stay equal
                    grads, reduce = _reduced(grads, trainable_variables), False
                grads, trainable_variables = self._overwrite_with_gradients(
                    grads, trainable_variables)
                if not trainable_variables:
                    self._advance()
                    return
            plan = self._plan_for(grads, trainable_variables)
            grads = [_as_tensor(grads[i]) for i in plan.present or range(len(grads))]
            if reduce:
                grads = trainer_hooks.reduce_gradients(grads, trainable_variables)  # data parallel
            self._apply_plan(grads, plan)
            self._advance()

    def _overwrite_with_gradients(self, grads: list, variables: list) -> tuple[list, list]:
        """Write their gradients over the variables marked `overwrite_with_gradient` (no
        loss-scale division, clipping or decay); returns the other pairs. With gradient
        accumulation the largest gradient of the micro-steps is written on the last one."""
        kept_grads, kept = [], []
        steps = self.gradient_accumulation_steps
        last = not steps or (self._host_iterations() + 1) % steps == 0
        for grad, variable in zip(grads, variables, strict=True):
            if grad is None or id(variable) not in self._overwritten_ids:
                kept_grads.append(grad)
                kept.append(variable)
                continue
            grad = _as_tensor(grad).to(variable.dtype)
            if steps:
                accumulator = self._accumulated_gradients[self._get_variable_index(variable)]
                grad = torch.maximum(grad, accumulator)
                accumulator.copy_(torch.zeros_like(grad) if last else grad)
            if last:
                variable.copy_(grad)
        return kept_grads, kept

    def _built_variables(self) -> list:
        """The variables the optimizer was built with, for gradients given without them."""
        if not self.built:
            raise ValueError(
                "When passing `grads` without `variables`, the optimizer must already be "
                "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                "first.")
        return self._trainable_variables

    def _plan_for(self, grads: list, variables) -> Plan:
        key = (tuple(map(id, variables)), tuple(g is None for g in grads))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._make_plan(grads, list(variables))
        return plan

    def _make_plan(self, grads: list, variables: list) -> Plan:
        present = [i for i, g in enumerate(grads) if g is not None]
        if not present:
            raise ValueError("No gradients provided for any variable.")
        if len(present) < len(grads):
            missing = [_label(v) for v, g in zip(variables, grads, strict=False) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing "
                          "the loss. If using `model.compile()`, did you forget to provide a "
                          "`loss` argument?", stacklevel=4)
        chosen = [variables[i] for i in present]
        self._check_variables_are_known(chosen)
        return make_plan(chosen, present if len(present) < len(grads) else None,
                         self._trainable_variables_indices, self._use_weight_decay)

    def _apply_plan(self, grads: list[torch.Tensor], plan: Plan) -> None:
        if self.loss_scale_factor is not None:
            grads = torch._foreach_div(grads, self.loss_scale_factor)
        if self.gradient_accumulation_steps:
            self._accumulate_or_update(grads, plan)
        else:
            self._update(grads, plan)
        if self.use_ema:
            self._update_moving_averages()
        for variable in plan.constrained:
            variable.copy_(variable.constraint(variable))

    def _accumulate_or_update(self, grads: list[torch.Tensor], plan: Plan) -> None:
        steps = self.gradient_accumulation_steps
        accumulators = plan.take(self._accumulated_gradients)
        if (self._host_iterations() + 1) % steps:
            torch._foreach_add_(accumulators, grads)
            return
        grads = torch._foreach_add(grads, accumulators)
        torch._foreach_div_(grads, steps)
        self._update(grads, plan)
        torch._foreach_zero_(self._accumulated_gradients)

    def _update(self, grads: list[torch.Tensor], plan: Plan) -> None:
        lr = self._lr_tensor()
        grads = self._clip_gradients(grads, plan)
        self._apply_weight_decay(plan, lr)
        self._update_groups(grads, plan, lr)

    def _update_groups(self, grads: list[torch.Tensor], plan: Plan, lr: torch.Tensor) -> None:
        whole = len(plan.groups) == 1
        for group in plan.groups:
            self._update_step(group, group.grads(grads, whole), group.cast(lr))

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        """Update one group of variables (multi-tensor ops); defaults to `update_step`."""
        for gradient, variable in zip(grads, group.params, strict=False):
            self.update_step(gradient.to(variable.dtype), variable, lr)

    def update_step(self, gradient, variable, learning_rate) -> None:
        """Update one variable from its gradient: the hook of custom optimizers."""
        raise NotImplementedError(f"Optimizer '{type(self).__name__}' must implement "
                                  "`update_step(gradient, variable, learning_rate)`.")

    def _step(self, group: Group, offset: int = 1) -> torch.Tensor:
        """`iterations + offset` as a 0-d tensor of the group's dtype (bias corrections' t)."""
        return group.cast(self.iterations + offset)

    def _step_number(self, group: Group, offset: int = 1) -> torch.Tensor | int:
        """`iterations + offset` as a Python int where that is free (eager runs on float32
        variables), else as `_step` gives it (a compiled step must not bake a changing number
        into its graph, and a loss-scaled one must not read its counter back each step)."""
        if (group.dtype != torch.float32 or torch.compiler.is_compiling()
                or self._counter_on_device_only):
            return self._step(group, offset)
        return self._host_iterations() // (self.gradient_accumulation_steps or 1) + offset

    # --- clipping and weight decay -----------------------------------------------------------
    def _clip_gradients(self, grads: list[torch.Tensor], plan: Plan) -> list[torch.Tensor]:
        if self.clipnorm and self.clipnorm > 0:
            return _clipping.clip_by_norm(grads, self.clipnorm,
                                          sharded_step.whole_norms(self, grads, plan))
        if self.global_clipnorm and self.global_clipnorm > 0:
            return _clipping.clip_by_global_norm(grads, self.global_clipnorm,
                                                 sharded_step.whole_norms(self, grads, plan))
        if self.clipvalue and self.clipvalue > 0:
            return _clipping.clip_by_value(grads, self.clipvalue)
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Exempt variables from weight decay: these ones, or those whose name contains one
        of `var_names` (regular expressions)."""
        self._excluded = list(var_list or ())
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None
        self._reindex()

    # --- copies and pickles ------------------------------------------------------------------
    def __setstate__(self, state: dict) -> None:
        """After `copy.deepcopy` or unpickling (a model with its optimizer), rebuild what is
        keyed by object identity, so training goes on with the copied variables."""
        self.__dict__.update(state)
        self._reindex()

    def _reindex(self) -> None:
        self._exclude_ids = {id(v) for v in self._excluded}
        self._decay_cache = {}
        self._plans = {}
        if self.built:
            self._trainable_variables_indices = {
                id(v): i for i, v in enumerate(self._trainable_variables)}
            self._overwritten_ids = {id(v) for v in self._trainable_variables
                                     if _overwritten(v)}

    def _use_weight_decay(self, variable) -> bool:
        found = self._decay_cache.get(id(variable))
        if found is None:
            name = getattr(variable, "name", None) or ""
            found = id(variable) not in self._exclude_ids and not (
                self._exclude_pattern is not None and self._exclude_pattern.search(name))
            self._decay_cache[id(variable)] = found
        return found

    def _apply_weight_decay(self, plan: Plan, lr: torch.Tensor) -> None:
        if self.weight_decay is None:
            return
        factor = 1 - self.weight_decay * lr
        for group in plan.groups:
            if group.decayed:
                torch._foreach_mul_(group.decayed, factor.to(group.device))

    # --- moving average of the weights -------------------------------------------------------
    def _update_moving_averages(self) -> None:
        not_first = self.iterations != 0
        for group in self._all.groups:
            momentum = not_first.to(device=group.device, dtype=group.dtype) * self.ema_momentum
            # Keras's m * average + (1 - m) * variable, with m a device tensor (a lerp weight
            # must be a Python number: reading it back would wait for the device each step).
            averages = group.take(self._model_variables_moving_average)
            torch._foreach_mul_(averages, momentum)
            torch._foreach_add_(averages, torch._foreach_mul(group.params, 1 - momentum))
        frequency = self.ema_overwrite_frequency
        if frequency and (self._host_optimizer_steps() + 1) % frequency == 0:
            self._overwrite_model_variables_with_average_value(self._trainable_variables)

    def _host_optimizer_steps(self) -> int:
        steps = self._host_iterations()
        return steps // self.gradient_accumulation_steps if self.gradient_accumulation_steps \
            else steps

    def _overwrite_model_variables_with_average_value(self, trainable_variables) -> None:
        averages = self._model_variables_moving_average
        if len(trainable_variables) != len(averages):
            raise ValueError(
                f"The length of model variables ({len(trainable_variables)}) to override does "
                "not match the length of model variables stored in the optimizer "
                f"({len(averages)}). Please check if the optimizer was called on your model.")
        pairs = [(v, a) for v, a in zip(trainable_variables, averages, strict=True)
                 if a is not None]
        with torch.no_grad():
            torch._foreach_copy_([v for v, _ in pairs], [a for _, a in pairs])

    def finalize_variable_values(self, var_list) -> None:
        """At the end of training: with `use_ema`, the weights take their moving average."""
        if self.use_ema and not sharded_step.finalize_averages(self):
            self._overwrite_model_variables_with_average_value(var_list)

    def scale_loss(self, loss):
        """The loss times `loss_scale_factor` (unchanged when there is none)."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    # --- config ------------------------------------------------------------------------------
    def get_config(self) -> dict:
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule) or not isinstance(lr, torch.Tensor):
            learning_rate = serialize_keras_object(lr)
        else:
            learning_rate = float(lr.detach().cpu())
        return {"name": self.name, "learning_rate": learning_rate,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Rebuild an optimizer (without its state) from `get_config()`'s output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_schedule(config["learning_rate"],
                                                           custom_objects=custom_objects)
        return cls(**config)


def _reduced(grads: list, variables: list) -> list:
    """`grads` (None kept) averaged over the processes where data parallel training needs it."""
    present = [i for i, g in enumerate(grads) if g is not None]
    reduced = trainer_hooks.reduce_gradients([_as_tensor(grads[i]) for i in present],
                                             [variables[i] for i in present])
    grads = list(grads)
    for i, grad in zip(present, reduced, strict=True):
        grads[i] = grad
    return grads


def _overwritten(variable) -> bool:
    return getattr(variable, "overwrite_with_gradient", False)


def _never(variable) -> bool:
    return False


def _label(variable) -> str:
    return variable_path(variable) or repr(tuple(variable.shape))


def _as_tensor(value) -> torch.Tensor:
    return value if isinstance(value, torch.Tensor) else torch.as_tensor(value)

