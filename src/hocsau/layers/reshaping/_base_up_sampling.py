"""`BaseUpSampling`: each entry of the spatial axes repeated `size` times (nearest neighbour)."""

from __future__ import annotations

from hocsau.layers.reshaping._spatial import SpatialLayer


class BaseUpSampling(SpatialLayer):
    """Repeats every spatial entry `factors[i]` times along spatial axis i, in one copy."""

    def __init__(self, factors: tuple[int, ...], rank: int, data_format=None, **kwargs):
        super().__init__(rank, data_format, **kwargs)
        self._factors = dict(zip(self._axes, factors, strict=True))

    def call(self, inputs):
        self._check_rank(inputs)
        return self._up_sample(inputs)

    def _up_sample(self, inputs):
        # A unit axis after each axis, broadcast to the axis's factor, then merged into it.
        unit, wide, merged = [], [], []
        for axis, length in enumerate(inputs.shape):
            factor = self._factors.get(axis, 1)
            unit += (length, 1)
            wide += (length, factor)
            merged.append(length * factor)
        return inputs.reshape(unit).expand(wide).reshape(merged)

    def compute_output_shape(self, input_shape):
        return self._resize(input_shape, lambda i, n: n * self._factors[self._axes[i]])
