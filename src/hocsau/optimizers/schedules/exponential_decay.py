"""`ExponentialDecay`: the learning rate times `decay_rate ** (step / decay_steps)`."""

from __future__ import annotations

import torch

from hocsau.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule,
    check_decay_steps,
    float_step,
)
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers.schedules")
class ExponentialDecay(LearningRateSchedule):
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
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        check_decay_steps("decay_steps", decay_steps)

    def __call__(self, step) -> torch.Tensor:
        p = float_step(step) / self.decay_steps
        if self.staircase:
            p = torch.floor(p)
        return torch.pow(self.decay_rate, p) * self.initial_learning_rate

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}
