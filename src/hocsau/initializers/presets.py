"""The named variance-scaling schemes: Glorot (Xavier), He and LeCun."""

from __future__ import annotations

from hocsau.initializers.variance_scaling import VarianceScaling
from hocsau.saving.serialization import keras_class


class _Preset(VarianceScaling):
    """A `VarianceScaling` with `(scale, mode, distribution)` fixed by the subclass."""

    _preset: tuple[float, str, str]

    def __init__(self, seed: int | None = None, input_axes=None, output_axes=None):
        scale, mode, distribution = self._preset
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed,
                         input_axes=input_axes, output_axes=output_axes)

    def get_config(self) -> dict:
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


@keras_class("keras.initializers")
class GlorotUniform(_Preset):
    """Uniform in `[-limit, limit]`, `limit = sqrt(6 / (fan_in + fan_out))` (Glorot, 2010)."""

    _preset = (1.0, "fan_avg", "uniform")


@keras_class("keras.initializers")
class GlorotNormal(_Preset):
    """Truncated normal with `stddev = sqrt(2 / (fan_in + fan_out))` (Glorot, 2010)."""

    _preset = (1.0, "fan_avg", "truncated_normal")


@keras_class("keras.initializers")
class HeUniform(_Preset):
    """Uniform in `[-limit, limit]`, `limit = sqrt(6 / fan_in)` (He et al., 2015)."""

    _preset = (2.0, "fan_in", "uniform")


@keras_class("keras.initializers")
class HeNormal(_Preset):
    """Truncated normal with `stddev = sqrt(2 / fan_in)` (He et al., 2015)."""

    _preset = (2.0, "fan_in", "truncated_normal")


@keras_class("keras.initializers")
class LecunUniform(_Preset):
    """Uniform in `[-limit, limit]`, `limit = sqrt(3 / fan_in)` (LeCun, 1998)."""

    _preset = (1.0, "fan_in", "uniform")


@keras_class("keras.initializers")
class LecunNormal(_Preset):
    """Truncated normal with `stddev = sqrt(1 / fan_in)`; the SELU companion."""

    _preset = (1.0, "fan_in", "truncated_normal")
