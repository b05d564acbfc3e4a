"""`Nadam`: Adam with Nesterov momentum (Dozat, 2015)."""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.optimizers._moments import MomentOptimizer
from hocsau.optimizers._ops import update_moments
from hocsau.optimizers._plan import Group, Plan
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class Nadam(MomentOptimizer):
    """Nadam, with Keras's momentum schedule `u_t = b1 * (1 - 0.5 * 0.96**t)`.

    The product of the `u_t` so far is a variable of the optimizer (the last one of
    `variables`); the moments are updated as in Adam and the step looks one momentum ahead.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        beta_1: decay rate of the first moment.
        beta_2: decay rate of the second moment.
        epsilon: added to the denominator for numerical stability.
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, use_ema, ...).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)

    def build(self, var_list) -> None:
        if self.built:
            return
        var_list = list(var_list)
        dtype = var_list[0].dtype if var_list else config.torch_dtype(None)
        super().build(var_list)
        self._u_product = self._new_variable(
            torch.ones((), dtype=dtype, device=self._iterations.device), "variable")

    def _update_groups(self, grads: list[torch.Tensor], plan: Plan, lr: torch.Tensor) -> None:
        # The momentum product advances once per step, whatever the number of groups.
        step = (self.iterations + 1).to(self._u_product.dtype)
        u_t = self.beta_1 * (1.0 - 0.5 * torch.pow(0.96, step))
        u_next = self.beta_1 * (1.0 - 0.5 * torch.pow(0.96, step + 1))
        u_product = self._u_product * u_t
        self._u_product.copy_(u_product)
        self._momentum_terms = (step, u_t, u_next, u_product, u_product * u_next)
        super()._update_groups(grads, plan, lr)

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        step, u_t, u_next, u_product, u_product_next = map(group.cast, self._momentum_terms)
        m_list, v_list = group.take(self._momentums), group.take(self._velocities)
        update_moments(m_list, v_list, grads, self.beta_1, self.beta_2)
        m_hats = torch._foreach_mul(m_list, u_next)
        torch._foreach_div_(m_hats, 1 - u_product_next)
        current = torch._foreach_mul(grads, 1 - u_t)
        torch._foreach_div_(current, 1 - u_product)
        torch._foreach_add_(m_hats, current)
        denominators = torch._foreach_div(v_list, 1 - torch.pow(self.beta_2, step))
        torch._foreach_sqrt_(denominators)
        torch._foreach_add_(denominators, self.epsilon)
        torch._foreach_mul_(m_hats, lr)
        torch._foreach_div_(m_hats, denominators)
        torch._foreach_sub_(group.params, m_hats)
