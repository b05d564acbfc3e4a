"""`VarianceScaling`: random weights whose variance adapts to the weight's fan-in/fan-out."""

from __future__ import annotations

import math

import torch

from hocsau.initializers import _sampling
from hocsau.initializers.random import RandomInitializer
from hocsau.saving.serialization import keras_class

# Standard deviation of a unit normal truncated to (-2, 2): dividing by it restores the
# requested variance after truncation.
_TRUNCATED_STDDEV = 0.87962566103423978
_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


def compute_fans(shape, input_axes=None, output_axes=None) -> tuple[int, int]:
    """`(fan_in, fan_out)` of a weight shape.

    Dense kernels `(in, out)` give `(in, out)`; convolution kernels `(*spatial, in, out)`
    multiply both by the receptive field size `prod(spatial)`; a vector gives its length
    twice and a scalar 1. `input_axes`/`output_axes`, when both given, name the axes to
    multiply instead.
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(math.prod(shape[a] for a in input_axes)),
                int(math.prod(shape[a] for a in output_axes)))
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


@keras_class("keras.initializers")
class VarianceScaling(RandomInitializer):
    """Draws with variance `scale / n`, `n` being the fan-in, fan-out or their mean.

    Normal distributions use `stddev = sqrt(scale / n)` (measured after truncation for
    "truncated_normal"); "uniform" draws from `[-limit, limit]`, `limit = sqrt(3 * scale / n)`.

    Args:
        scale: Positive scaling factor.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal" ("normal" is an alias), "untruncated_normal" or
            "uniform".
        seed: Integer seed, or None for torch's global generator.
        input_axes: Axes making up the fan-in (used together with `output_axes`).
        output_axes: Axes making up the fan-out.
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in _MODES:
            raise ValueError(f"Invalid `mode` argument: expected one of {_MODES}. "
                             f"Received: mode={mode!r}")
        distribution = distribution.lower()
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(f"Invalid `distribution` argument: expected one of "
                             f"{_DISTRIBUTIONS}. Received: distribution={distribution!r}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, fan[self.mode])
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / _TRUNCATED_STDDEV
            return _sampling.truncated_normal(shape, 0.0, stddev, dtype, self.seed)
        if self.distribution == "untruncated_normal":
            return _sampling.normal(shape, 0.0, math.sqrt(variance), dtype, self.seed)
        limit = math.sqrt(3.0 * variance)
        return _sampling.uniform(shape, -limit, limit, dtype, self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}
