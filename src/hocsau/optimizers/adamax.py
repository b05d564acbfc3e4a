"""`Adamax`: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

import torch

from hocsau.optimizers._moments import MomentOptimizer
from hocsau.optimizers._ops import move_towards
from hocsau.optimizers._plan import Group
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class Adamax(MomentOptimizer):
    """Adamax (Kingma & Ba, 2014, section 7).

    `m = b1 * m + (1 - b1) * g`, `u = max(b2 * u, |g|)`,
    `w -= lr * m / ((1 - b1**t) * (u + epsilon))`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        beta_1: decay rate of the first moment.
        beta_2: decay rate of the infinity norm.
        epsilon: added to the norm for numerical stability.
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, use_ema, ...).
    """

    _slot_names = ("momentum", "norm")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        correction = 1 - torch.pow(self.beta_1, self._step(group))
        m_list, u_list = group.take(self._momentums), group.take(self._velocities)
        move_towards(m_list, grads, 1 - self.beta_1)
        torch._foreach_mul_(u_list, self.beta_2)
        torch._foreach_maximum_(u_list, torch._foreach_abs(grads))
        denominators = torch._foreach_add(u_list, self.epsilon)
        torch._foreach_mul_(denominators, correction)
        updates = torch._foreach_mul(m_list, lr)
        torch._foreach_div_(updates, denominators)
        torch._foreach_sub_(group.params, updates)
