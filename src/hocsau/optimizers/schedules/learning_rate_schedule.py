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
        raise TypeError(f"Learning rate schedule '{type(self).__name__}' must override "
                        "`__call__(self, step)`.")

    def get_config(self) -> dict:
        raise TypeError(f"Learning rate schedule '{type(self).__name__}' must override "
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
