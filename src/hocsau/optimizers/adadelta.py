"""`Adadelta`: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

import torch

from hocsau.optimizers._plan import Group
from hocsau.optimizers.optimizer import Optimizer
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012).

    `Eg = rho * Eg + (1 - rho) * g**2`, `delta = -sqrt(Ed + eps) / sqrt(Eg + eps) * g`,
    `Ed = rho * Ed + (1 - rho) * delta**2`, `w += lr * delta`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        rho: decay rate of the running averages.
        epsilon: added inside the square roots for numerical stability.
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, use_ema, ...).
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def _rms(self, tensors: list[torch.Tensor]) -> list[torch.Tensor]:
        result = torch._foreach_add(tensors, self.epsilon)
        torch._foreach_sqrt_(result)
        return result

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        rho = self.rho
        grad_averages = group.take(self._accumulated_grads)
        delta_averages = group.take(self._accumulated_delta_vars)
        torch._foreach_mul_(grad_averages, rho)
        torch._foreach_addcmul_(grad_averages, grads, grads, value=1 - rho)
        deltas = torch._foreach_mul(self._rms(delta_averages), grads)
        torch._foreach_div_(deltas, self._rms(grad_averages))
        torch._foreach_neg_(deltas)
        torch._foreach_mul_(delta_averages, rho)
        torch._foreach_add_(delta_averages, torch._foreach_mul(deltas, deltas), alpha=1 - rho)
        torch._foreach_add_(group.params, torch._foreach_mul(deltas, lr))

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
