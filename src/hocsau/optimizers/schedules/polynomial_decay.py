"""`PolynomialDecay`: from the initial to the end learning rate along `(1 - t) ** power`."""

from __future__ import annotations

import torch

from hocsau.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule,
    check_decay_steps,
    float_step,
)
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers.schedules")
class PolynomialDecay(LearningRateSchedule):
    """`(initial - end) * (1 - step / decay_steps) ** power + end`, with the step capped.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: positive number of steps to reach `end_learning_rate`.
        end_learning_rate: the final learning rate.
        power: the power of the polynomial.
        cycle: if True, instead of staying at the end rate, decay again over the first
            multiple of `decay_steps` past the step.
        name: name of the schedule.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        check_decay_steps("decay_steps", decay_steps)

    def __call__(self, step) -> torch.Tensor:
        step = float_step(step)
        decay_steps = torch.full_like(step, self.decay_steps)
        if self.cycle:
            multiplier = torch.where(step == 0, 1.0, torch.ceil(step / self.decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = torch.minimum(step, decay_steps)
        fraction = torch.pow(1 - step / decay_steps, self.power)
        span = (torch.full_like(step, self.initial_learning_rate) - self.end_learning_rate)
        return span * fraction + self.end_learning_rate

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}
