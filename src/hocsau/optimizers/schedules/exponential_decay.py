"""`ExponentialDecay`: the learning rate times `decay_rate ** (step / decay_steps)`."""

from __future__ import annotations

import torch

from hocsau.optimizers.schedules.learning_rate_schedule import StaircaseDecay
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers.schedules")
class ExponentialDecay(StaircaseDecay):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: positive number of steps over which the rate is multiplied by `decay_rate`.
        decay_rate: the decay factor.
        staircase: if True, `step / decay_steps` is floored, so the rate drops in steps.
        name: name of the schedule.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _decay(self, progress: torch.Tensor) -> torch.Tensor:
        return torch.pow(self.decay_rate, progress) * self.initial_learning_rate
