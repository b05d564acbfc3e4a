"""`Ftrl`: Follow The Regularized Leader (McMahan et al., 2013)."""

from __future__ import annotations

import torch

from hocsau.optimizers._plan import Group
from hocsau.optimizers.optimizer import Optimizer
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class Ftrl(Optimizer):
    """FTRL-Proximal, suited to shallow models with large sparse feature spaces.

    With `n` the accumulated squared gradients and `z` the linear term, per step:
    `z += g + 2 * l2_shrinkage * w - (n_new**-p - n**-p) / lr * w`, then
    `w = (clip(z, -l1, l1) - z) / (n_new**-p / lr + 2 * (l2 + beta / (2 * lr)))`,
    `p` being `learning_rate_power`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        learning_rate_power: how the rate decreases during training (<= 0).
        initial_accumulator_value: starting value of the accumulators (>= 0).
        l1_regularization_strength: L1 strength (>= 0).
        l2_regularization_strength: L2 strength (>= 0), stabilization penalty.
        l2_shrinkage_regularization_strength: L2 shrinkage strength (>= 0), magnitude penalty.
        beta: FTRL's beta, added to the L2 term as `beta / (2 * lr)`.
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, use_ema, ...).
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        for name, value in (("initial_accumulator_value", initial_accumulator_value),
                            ("l1_regularization_strength", l1_regularization_strength),
                            ("l2_regularization_strength", l2_regularization_strength),
                            ("l2_shrinkage_regularization_strength",
                             l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"`{name}` needs to be positive or zero. Received: "
                                 f"{name}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"],
            initializer=[float(self.initial_accumulator_value), "zeros"])

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        power, l1 = -self.learning_rate_power, self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        accumulators, linears, params = group.take(self._accumulators), group.take(
            self._linears), group.params
        new_accumulators = torch._foreach_add(accumulators, torch._foreach_mul(grads, grads))
        new_powers = torch._foreach_pow(new_accumulators, power)
        sigmas = torch._foreach_sub(new_powers, torch._foreach_pow(accumulators, power))
        torch._foreach_div_(sigmas, lr)
        torch._foreach_mul_(sigmas, params)
        shrunk = torch._foreach_mul(params, 2 * self.l2_shrinkage_regularization_strength)
        torch._foreach_add_(shrunk, grads)
        torch._foreach_sub_(shrunk, sigmas)
        torch._foreach_add_(linears, shrunk)
        quadratics = torch._foreach_div(new_powers, lr)
        torch.ops.aten._foreach_add_.Tensor(quadratics, 2 * l2)  # l2 stays on the device
        clipped = torch._foreach_clamp_max(torch._foreach_clamp_min(linears, -l1), l1)
        torch._foreach_sub_(clipped, linears)
        torch._foreach_div_(clipped, quadratics)
        torch._foreach_copy_(params, clipped)
        torch._foreach_copy_(accumulators, new_accumulators)

    def get_config(self) -> dict:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
