"""`Adafactor`: Adam-like steps with factored second moments (Shazeer & Stern, 2018)."""

from __future__ import annotations

import torch

from hocsau.optimizers._plan import Group
from hocsau.optimizers.optimizer import Optimizer
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers")
class Adafactor(Optimizer):
    """Adafactor: memory-light second moments for matrices.

    For a variable of rank >= 2 the second moment of the last two axes is kept as row and
    column averages (`r`, `c`) and rebuilt as `r c / mean(r)`; smaller variables keep a full
    average. The step is `w -= max(epsilon_2, rms(w)) * min(lr, 1/sqrt(t)) * u`, with `u` the
    normalized gradient clipped to an RMS of `clip_threshold`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable.
        beta_2_decay: decay exponent, `beta_2_t = 1 - t ** beta_2_decay`.
        epsilon_1: added to the squared gradients.
        epsilon_2: the smallest scale of a step, relative to the weights.
        clip_threshold: the largest RMS of the normalized gradient.
        relative_step: with a float learning rate, cap it at `1 / sqrt(t)`.
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, use_ema, ...).
    """

    _entrywise = False  # whole-matrix factors / norms / orthogonalization

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._r, self._c, self._v = [], [], []
        for variable in var_list:
            name = getattr(variable, "name", None) or "variable"
            if variable.dim() < 2:
                # Unfactored: scalar placeholders keep Keras's variable order and count.
                placeholder = torch.zeros((), dtype=torch.int32, device=variable.device)
                self._r.append(self._new_variable(placeholder, name))
                self._c.append(self._new_variable(placeholder, name))
            else:
                shape = tuple(variable.shape)
                self._r.append(self.add_variable(shape[:-1], dtype=variable.dtype, name=name,
                                                 device=variable.device))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=variable.dtype,
                                                 name=name, device=variable.device))
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def _update_step(self, group: Group, grads: list[torch.Tensor], lr: torch.Tensor) -> None:
        step = self._step(group)
        if self.relative_step and isinstance(self._learning_rate, torch.Tensor):
            lr = torch.minimum(lr, 1 / torch.sqrt(step))
        rho = torch.minimum(lr, 1 / torch.sqrt(step))
        beta = 1 - torch.pow(step, self.beta_2_decay)
        rows, columns, velocities = (group.take(s) for s in (self._r, self._c, self._v))
        slots = zip(grads, group.params, rows, columns, velocities, strict=True)
        for grad, variable, r, c, v in slots:
            squared = torch.square(grad) + self.epsilon_1
            if variable.dim() >= 2:
                r.copy_(beta * r + (1 - beta) * squared.mean(dim=-1))
                c.copy_(beta * c + (1 - beta) * squared.mean(dim=-2))
                v.copy_((r / r.mean(dim=-1, keepdim=True)).unsqueeze(-1) * c.unsqueeze(-2))
            else:
                v.copy_(beta * v + (1 - beta) * squared)
            normalized = grad / torch.sqrt(v)
            normalized = normalized / torch.clamp_min(_rms(normalized) / self.clip_threshold, 1.0)
            alpha = torch.clamp_min(_rms(variable), self.epsilon_2) * rho
            variable.sub_(alpha * normalized)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}


def _rms(x: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(torch.mean(torch.square(x)))
