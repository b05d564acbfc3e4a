"""`RMSprop`: gradients divided by a running root mean square (Hinton's lecture 6e)."""

from __future__ import annotations

import torch

from hocsau.optimizers._plan import Group
from hocsau.optimizers.optimizer import Optimizer
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class RMSprop(Optimizer):
    """RMSprop.

    `v = rho * v + (1 - rho) * g**2`, `w -= lr * g / sqrt(v + epsilon)` (epsilon inside the
    sqrt). `centered` subtracts the square of a running mean gradient from `v`; `momentum`
    accumulates the increments before they are applied.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        rho: decay rate of the running averages.
        momentum: momentum of the increments; 0 disables the momentum slot.
        epsilon: added to `v` for numerical stability.
        centered: normalize by the estimated variance instead of the second moment.
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, use_ema, ...).
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient")

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        rho = self.rho
        velocities = group.take(self._velocities)
        torch._foreach_mul_(velocities, rho)
        torch._foreach_addcmul_(velocities, grads, grads, value=1 - rho)
        denominators = torch._foreach_add(velocities, self.epsilon)
        if self.centered:
            averages = group.take(self._average_gradients)
            torch._foreach_mul_(averages, rho)
            torch._foreach_add_(averages, grads, alpha=1 - rho)
            torch._foreach_addcmul_(denominators, averages, averages, value=-1)
        torch._foreach_sqrt_(denominators)
        torch._foreach_div_(denominators, lr)  # increment = g / denominator
        if self.momentum > 0:
            momentums = group.take(self._momentums)
            torch._foreach_mul_(momentums, self.momentum)
            torch._foreach_addcdiv_(momentums, grads, denominators)
            torch._foreach_sub_(group.params, momentums)
        else:
            torch._foreach_addcdiv_(group.params, grads, denominators, value=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
