"""`Lamb`: Adam with a per-layer trust ratio (You et al., 2019)."""

from __future__ import annotations

import torch

from hocsau.optimizers._moments import MomentOptimizer
from hocsau.optimizers._ops import update_moments
from hocsau.optimizers._plan import Group
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class Lamb(MomentOptimizer):
    """LAMB, layer-wise adaptive moments for large-batch training.

    The Adam direction `u = m_hat / (sqrt(v_hat) + epsilon)` (bias-corrected moments) is
    rescaled per variable by the trust ratio `|w| / |u|` (1 when either norm is 0):
    `w -= ratio * lr * u`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        beta_1: decay rate of the first moment.
        beta_2: decay rate of the second moment.
        epsilon: added to the denominator for numerical stability.
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, use_ema, ...).
    """

    _entrywise = False  # whole-matrix factors / norms / orthogonalization

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        step = self._step(group)
        m_list, v_list = group.take(self._momentums), group.take(self._velocities)
        update_moments(m_list, v_list, grads, self.beta_1, self.beta_2)
        updates = torch._foreach_div(m_list, 1.0 - torch.pow(self.beta_1, step))
        denominators = torch._foreach_div(v_list, 1.0 - torch.pow(self.beta_2, step))
        torch._foreach_sqrt_(denominators)
        torch._foreach_add_(denominators, self.epsilon)
        torch._foreach_div_(updates, denominators)
        w_norms = torch.stack(torch._foreach_norm(group.params))
        u_norms = torch.stack(torch._foreach_norm(updates))
        ratios = torch.where(w_norms > 0, torch.where(u_norms > 0, w_norms / u_norms, 1.0), 1.0)
        torch._foreach_mul_(updates, (ratios * lr).unbind())
        torch._foreach_sub_(group.params, updates)

