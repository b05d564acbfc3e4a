"""`Adam`: adaptive moment estimation (Kingma & Ba, 2014)."""

from __future__ import annotations

import torch

from hocsau.optimizers._moments import MomentOptimizer
from hocsau.optimizers._ops import adam_alpha, adam_step, update_moments
from hocsau.optimizers._plan import Group
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class Adam(MomentOptimizer):
    """Adam, with Keras's form of the update.

    `m = b1 * m + (1 - b1) * g`, `v = b2 * v + (1 - b2) * g**2`, then
    `w -= lr_t * m / (sqrt(v) + epsilon)` with the bias correction folded into the learning
    rate, `lr_t = lr * sqrt(1 - b2**t) / (1 - b1**t)` (so epsilon sits outside the sqrt and
    is not bias-corrected).

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        beta_1: decay rate of the first moment.
        beta_2: decay rate of the second moment.
        epsilon: added to the denominator for numerical stability.
        amsgrad: use the maximum of past second moments (AMSGrad).
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, use_ema, ...).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        self.amsgrad = amsgrad

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        alpha = adam_alpha(lr, self._step_number(group), self.beta_1, self.beta_2)
        m_list, v_list = group.take(self._momentums), group.take(self._velocities)
        update_moments(m_list, v_list, grads, self.beta_1, self.beta_2)
        if self.amsgrad:
            v_hats = group.take(self._velocity_hats)
            torch._foreach_maximum_(v_hats, v_list)
            v_list = v_hats
        adam_step(group.params, m_list, v_list, alpha, self.epsilon)

    def get_config(self) -> dict:
        return {**super().get_config(), "amsgrad": self.amsgrad}
