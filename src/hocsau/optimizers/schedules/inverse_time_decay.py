"""`InverseTimeDecay`: the learning rate divided by `1 + decay_rate * step / decay_steps`."""

from __future__ import annotations

import torch

from hocsau.optimizers.schedules.learning_rate_schedule import StaircaseDecay
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers.schedules")
class InverseTimeDecay(StaircaseDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: positive number of steps per unit of decay.
        decay_rate: the decay rate.
        staircase: if True, `step / decay_steps` is floored, so the rate drops in steps.
        name: name of the schedule.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _decay(self, progress: torch.Tensor) -> torch.Tensor:
        denominator = progress * self.decay_rate + 1.0
        return torch.full_like(denominator, self.initial_learning_rate) / denominator
