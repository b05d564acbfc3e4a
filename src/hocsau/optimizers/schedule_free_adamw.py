"""`ScheduleFreeAdamW`: AdamW without a learning-rate schedule (Defazio et al., 2024)."""

from __future__ import annotations

import torch

from hocsau.optimizers._moments import MomentOptimizer
from hocsau.optimizers._ops import move_towards
from hocsau.optimizers._plan import Group
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class ScheduleFreeAdamW(MomentOptimizer):
    """Schedule-Free AdamW.

    Keeps `z` (the "momentum" slot, where Adam-normalized steps are taken, starting at the
    weights) and the running average `x = lerp(x, z, 1/t)`; the weights hold the
    interpolation `y = (1 - beta_1) * z + beta_1 * x`, from which `x` is recovered each step.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        beta_1: interpolation between `z` and `x`.
        beta_2: decay rate of the second moment.
        epsilon: added to the denominator for numerical stability.
        warmup_steps: the learning rate grows linearly over this many steps.
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, use_ema, ...).
    """

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 warmup_steps=0, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        self.warmup_steps = warmup_steps

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        with torch.no_grad():
            torch._foreach_copy_(self._momentums, list(var_list))

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        step = self._step(group)
        if self.warmup_steps > 0:
            lr = lr * torch.clamp_max(step / self.warmup_steps, 1.0)
        # Keras computes `1 - beta` from betas cast to the variables' dtype.
        beta_1, beta_2 = (torch.full((), b, dtype=group.dtype, device=group.device)
                          for b in (self.beta_1, self.beta_2))
        z_list, v_list, params = group.take(self._momentums), group.take(
            self._velocities), group.params
        z_old = torch._foreach_mul(z_list, 1 - beta_1)
        move_towards(v_list, torch._foreach_mul(grads, grads), 1 - beta_2)
        denominators = torch._foreach_div(v_list, 1 - torch.pow(beta_2, step))
        torch._foreach_sqrt_(denominators)
        torch._foreach_add_(denominators, self.epsilon)
        steps = torch._foreach_mul(grads, lr)
        torch._foreach_div_(steps, denominators)
        torch._foreach_sub_(z_list, steps)
        weight = 1.0 / step
        x_list = torch._foreach_sub(params, z_old)
        torch._foreach_div_(x_list, beta_1)
        torch._foreach_mul_(x_list, 1 - weight)
        torch._foreach_add_(x_list, torch._foreach_mul(z_list, weight))
        torch._foreach_mul_(x_list, beta_1)
        torch._foreach_add_(x_list, torch._foreach_mul(z_list, 1 - beta_1))
        torch._foreach_copy_(params, x_list)

    def get_config(self) -> dict:
        return {**super().get_config(), "warmup_steps": self.warmup_steps}
