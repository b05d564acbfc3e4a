"""`CosineDecayRestarts`: cosine decay that restarts, each period `t_mul` times longer."""

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
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2016).

    The multiplier falls from 1 to `alpha` over `first_decay_steps`, then restarts: period `i`
    lasts `first_decay_steps * t_mul ** i` steps and starts from `m_mul ** i`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        first_decay_steps: positive length of the first period.
        t_mul: growth factor of the period length.
        m_mul: factor of the starting rate from one period to the next.
        alpha: the final rate of each period as a fraction of its start.
        name: name of the schedule.
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: int, t_mul: float = 2.0,
                 m_mul: float = 1.0, alpha: float = 0.0, name: str = "SGDRDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        check_decay_steps("first_decay_steps", first_decay_steps)

    def __call__(self, step) -> torch.Tensor:
        fraction = float_step(step) / self.first_decay_steps
        t_mul = fraction.new_full((), self._t_mul)
        if self._t_mul == 1.0:
            restart = torch.floor(fraction)
            fraction = fraction - restart
        else:
            # Periods grow geometrically: find the restart index from the summed lengths.
            restart = torch.floor(torch.log(1.0 - fraction * (1.0 - t_mul)) / torch.log(t_mul))
            done = (1.0 - torch.pow(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - done) / torch.pow(t_mul, restart)
        m_factor = torch.pow(fraction.new_full((), self._m_mul), restart)
        cosine = 0.5 * m_factor * (1.0 + torch.cos(math.pi * fraction))
        return torch.full_like(cosine, self.initial_learning_rate) * (
            (1 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}
