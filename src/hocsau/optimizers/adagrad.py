"""`Adagrad`: per-coordinate learning rates from the sum of squared gradients."""

from __future__ import annotations

import torch

from hocsau.optimizers._plan import Group
from hocsau.optimizers.optimizer import Optimizer
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011).

    `acc += g**2`, `w -= lr * g / sqrt(acc + epsilon)`, the accumulator starting at
    `initial_accumulator_value`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        initial_accumulator_value: starting value of the accumulators.
        epsilon: added to the accumulator for numerical stability.
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, use_ema, ...).
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=float(self.initial_accumulator_value))

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        accumulators = group.take(self._accumulators)
        torch._foreach_addcmul_(accumulators, grads, grads)
        denominators = torch._foreach_add(accumulators, self.epsilon)
        torch._foreach_sqrt_(denominators)
        torch._foreach_div_(denominators, lr)
        torch._foreach_addcdiv_(group.params, grads, denominators, value=-1)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
