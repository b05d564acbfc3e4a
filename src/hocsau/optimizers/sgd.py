"""`SGD`: gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

import torch

from hocsau.optimizers._plan import Group
from hocsau.optimizers.optimizer import Optimizer
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class SGD(Optimizer):
    """Stochastic gradient descent.

    Without momentum, `w -= lr * g`. With it, `velocity = momentum * velocity - lr * g`, then
    `w += velocity`, or with Nesterov `w += momentum * velocity - lr * g`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        momentum: float in [0, 1]; 0 disables the momentum slot.
        nesterov: use Nesterov momentum.
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, use_ema, ...).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        scaled = torch._foreach_mul(grads, lr)
        if self.momentum == 0:
            torch._foreach_sub_(group.params, scaled)
            return
        velocities = group.take(self.momentums)
        torch._foreach_mul_(velocities, self.momentum)
        torch._foreach_sub_(velocities, scaled)
        if self.nesterov:
            torch._foreach_sub_(group.params, scaled)
            torch._foreach_add_(group.params, velocities, alpha=self.momentum)
        else:
            torch._foreach_add_(group.params, velocities)

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
