"""`CosineDecay`: an optional linear warmup, then a half cosine down to `alpha` times the peak."""

from __future__ import annotations

import math

import torch

from hocsau.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule,
    check_decay_steps,
    float_step,
)
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers.schedules")
class CosineDecay(LearningRateSchedule):
    """Cosine decay (SGDR without restarts, Loshchilov & Hutter 2016) with optional warmup.

    Without `warmup_target` the rate falls from `initial_learning_rate` to
    `initial_learning_rate * alpha` over `decay_steps`. With it, the rate first rises linearly
    from `initial_learning_rate` to `warmup_target` over `warmup_steps`, then falls from
    `warmup_target` to `warmup_target * alpha` over the next `decay_steps`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: positive number of steps to decay over.
        alpha: the final rate as a fraction of the peak.
        name: name of the schedule.
        warmup_target: the peak reached after warmup, or None for no warmup.
        warmup_steps: number of warmup steps.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: int = 0):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        check_decay_steps("decay_steps", decay_steps)

    def __call__(self, step) -> torch.Tensor:
        step = float_step(step)
        if self.warmup_target is None:
            step = torch.clamp_max(step, float(self.decay_steps))
            return self._decayed(step, self.initial_learning_rate)
        # Both branches are computed and one is selected, so the step never leaves the device.
        step = torch.clamp_max(step, float(self.decay_steps + self.warmup_steps))
        initial = torch.full_like(step, self.initial_learning_rate)
        warmup = (initial.new_full((), self.warmup_target) - initial) * (
            step / self.warmup_steps) + initial
        decay = self._decayed(step - self.warmup_steps, self.warmup_target)
        return torch.where(step < self.warmup_steps, warmup, decay)

    def _decayed(self, step: torch.Tensor, peak: float) -> torch.Tensor:
        cosine = 0.5 * (1.0 + torch.cos(math.pi * (step / self.decay_steps)))
        return torch.full_like(step, peak) * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}
