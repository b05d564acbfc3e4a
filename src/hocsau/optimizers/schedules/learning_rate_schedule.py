"""`LearningRateSchedule`: the base of the learning-rate schedules an optimizer can follow."""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers.schedules")
class LearningRateSchedule:
    """A learning rate that changes with the optimizer step.

    Pass an instance as an optimizer's `learning_rate`: each step the optimizer calls it with
    its iteration counter (an integer tensor on the weights' device) and uses the value it
    returns. Subclasses implement `__call__(step)` with tensor operations only, so the value
    is computed on the device without reading the step back to the host, and `get_config()`
    returning their constructor arguments.
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                        "`__call__(self, step)`.")

    def get_config(self) -> dict:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                        "`get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild a schedule from `get_config()`'s output."""
        return cls(**config)


def float_step(step, dtype=None) -> torch.Tensor:
    """The step as a float tensor (floatx by default), on the device it lives on."""
    dtype = config.torch_dtype(dtype)
    if isinstance(step, torch.Tensor):
        return step.detach().to(dtype)
    return torch.as_tensor(step, dtype=dtype)


def check_decay_steps(name: str, value) -> None:
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class StaircaseDecay(LearningRateSchedule):
    """Shared frame of the schedules driven by `step / decay_steps` (floored in `staircase`
    mode) and a `decay_rate`; subclasses define `_decay(progress)`, the rate it gives."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str | None = None):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        check_decay_steps("decay_steps", decay_steps)

    def __call__(self, step) -> torch.Tensor:
        progress = float_step(step) / self.decay_steps
        return self._decay(torch.floor(progress) if self.staircase else progress)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}
