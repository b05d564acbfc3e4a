"""`PiecewiseConstantDecay`: a learning rate constant between step boundaries."""

from __future__ import annotations

import numpy as np
import torch

from hocsau import config
from hocsau.optimizers.schedules.learning_rate_schedule import LearningRateSchedule
from hocsau.saving.serialization import keras_class


@keras_class("keras.optimizers.schedules")
class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[i]` while
    `boundaries[i - 1] < step <= boundaries[i]`, and `values[-1]` after the last boundary.

    Args:
        boundaries: strictly increasing step numbers.
        values: one more value than boundaries.
        name: name of the schedule.
    """

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant"):
        super().__init__()
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step) -> torch.Tensor:
        step = step.detach() if isinstance(step, torch.Tensor) else torch.as_tensor(step)
        # Boundaries take the step's type (so float boundaries truncate for an integer step).
        bounds = [b if step.is_floating_point() else int(b) for b in self.boundaries]
        dtype = _value_dtype(self.values[0])
        result = (step <= bounds[0]).to(dtype) * self.values[0]
        result = result + (step > bounds[-1]).to(dtype) * self.values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], self.values[1:-1], strict=False):
            result = result + ((step > low) & (step <= high)).to(dtype) * value
        return result

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


def _value_dtype(value) -> torch.dtype:
    """Keras's tensor type for a Python value: floats are floatx, integers int32."""
    kind = np.asarray(value).dtype.kind
    if kind == "f":
        return config.torch_dtype(None)
    return torch.int32 if kind in "iu" else torch.as_tensor(value).dtype
