"""`Muon`: momentum orthogonalized by Newton-Schulz iterations, AdamW for the rest."""

from __future__ import annotations

import math
import re

import torch

from hocsau.optimizers._ops import adam_alpha, adam_step, update_moments
from hocsau.optimizers._plan import Group, Plan
from hocsau.optimizers._state import variable_path
from hocsau.optimizers.optimizer import Optimizer
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class Muon(Optimizer):
    """Muon (Keller Jordan, 2024; Moonlight's RMS matching, Liu et al., 2025).

    2-D variables take the Muon step: SGD momentum (Nesterov by default), orthogonalized by
    `ns_steps` quintic Newton-Schulz iterations and scaled by `sqrt(max(rows, cols)) *
    rms_rate`. Other variables, embeddings (when `exclude_embeddings`) and variables whose
    path matches one of `exclude_layers` take an AdamW step at `lr * adam_lr_ratio`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        adam_beta_1, adam_beta_2: the AdamW moments' decay rates.
        adam_weight_decay: weight decay of the AdamW variables.
        epsilon: AdamW's epsilon.
        weight_decay: weight decay of the Muon variables.
        exclude_layers: regular expressions of variable paths to optimize with AdamW.
        exclude_embeddings: optimize variables whose path contains "embedding" with AdamW.
        muon_a, muon_b, muon_c: the Newton-Schulz polynomial's coefficients.
        adam_lr_ratio: AdamW's learning rate relative to `learning_rate`.
        momentum: Muon's momentum.
        ns_steps: number of Newton-Schulz iterations.
        nesterov: use Nesterov momentum.
        rms_rate: RMS matching factor; None disables the scaling.
        **kwargs: the other base `Optimizer` arguments.
    """

    _entrywise = False  # whole-matrix factors / norms / orthogonalization

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999,
                 adam_weight_decay=0.004, epsilon=1e-7, weight_decay=0.004, exclude_layers=None,
                 exclude_embeddings=True, muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315,
                 adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True, rms_rate=0.2,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable) -> bool:
        if variable.dim() != 2:
            return True
        path = variable_path(variable)
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(keyword, path) for keyword in self.exclude_layers)

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self.momentums = [None] * len(var_list)
        self.adam_velocities = [None] * len(var_list)
        for i, variable in enumerate(var_list):
            self.momentums[i] = self.add_variable_from_reference(variable, "momentum")
            if self._should_use_adamw(variable):
                self.adam_velocities[i] = self.add_variable_from_reference(variable, "velocity")

    def _apply_weight_decay(self, plan: Plan, lr: torch.Tensor) -> None:
        for variable in plan.variables:
            if not self._use_weight_decay(variable):
                continue
            rate = self.adam_weight_decay if self._should_use_adamw(variable) \
                else self.weight_decay
            if rate is not None:
                variable.sub_(variable * rate * lr.to(variable.device, variable.dtype))

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        momentums, velocities = group.take(self.momentums), group.take(self.adam_velocities)
        adam = [i for i, v in enumerate(velocities) if v is not None]
        if adam:
            self._adamw_step([grads[i] for i in adam], [group.params[i] for i in adam],
                             [momentums[i] for i in adam], [velocities[i] for i in adam],
                             lr * self.adam_lr_ratio, self._step_number(group))
        for grad, variable, m, v in zip(grads, group.params, momentums, velocities, strict=False):
            if v is None:
                self._muon_step(grad, variable, lr, m)

    def _adamw_step(self, grads, params, m_list, v_list, lr, step) -> None:
        alpha = adam_alpha(lr, step, self.adam_beta_1, self.adam_beta_2)
        update_moments(m_list, v_list, grads, self.adam_beta_1, self.adam_beta_2)
        adam_step(params, m_list, v_list, alpha, self.epsilon)

    def _muon_step(self, grad, variable, lr, m) -> None:
        m.add_(grad + m * (self.momentum - 1))
        direction = grad + self.momentum * m if self.nesterov else m
        update = lr * self.zeropower_via_newtonschulz5(direction, self.ns_steps)
        if self.rms_rate is not None:
            update = update * math.sqrt(max(update.shape[0], update.shape[1])) * self.rms_rate
        variable.sub_(update)

    def zeropower_via_newtonschulz5(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        """An approximate orthogonalization `U S' V^T` of `x` (quintic Newton-Schulz)."""
        if x.dim() < 2:
            raise ValueError("Expected gradient or momentum to have at least 2 dimensions. "
                             f"Received: shape={tuple(x.shape)}")
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = x.transpose(-2, -1)
        x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)
        for _ in range(steps):
            gram = x @ x.transpose(-2, -1)
            x = a * x + (b * gram + c * gram @ gram) @ x
        return x.transpose(-2, -1) if tall else x

    def get_config(self) -> dict:
        return {**super().get_config(), "adam_beta_1": self.adam_beta_1,
                "adam_beta_2": self.adam_beta_2, "epsilon": self.epsilon,
                "exclude_layers": self.exclude_layers, "muon_a": self.muon_a,
                "muon_b": self.muon_b, "muon_c": self.muon_c,
                "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
                "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings,
                "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate}
