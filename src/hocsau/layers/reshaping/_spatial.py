"""Shared by the reshaping layers: (before, after) pairs and `SpatialLayer`, their base."""

from __future__ import annotations

from hocsau.layers.input_spec import InputSpec, assert_input_compatibility
from hocsau.layers.layer import Layer
from hocsau.utils.argument_validation import standardize_data_format, standardize_tuple

_ORDINALS = ("1st", "2nd", "3rd")


def standardize_pairs(value, rank: int, name: str) -> tuple[tuple[int, int], ...]:
    """An int, `rank` ints (symmetric) or `rank` pairs as `rank` (before, after) pairs >= 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"`{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value),) * rank
    if not hasattr(value, "__len__") or len(value) != rank:
        raise ValueError(f"`{name}` should be an int, a tuple of {rank} ints or a tuple of "
                         f"{rank} tuples of 2 ints. Received: {name}={value}.")
    return tuple(standardize_tuple(v, 2, f"{_ORDINALS[i]} entry of {name}", allow_zero=True)
                 for i, v in enumerate(value))


class SpatialLayer(Layer):
    """A layer acting on the `rank` spatial axes of its input, in either data format."""

    def __init__(self, rank: int, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)
        first = 1 if self.data_format == "channels_last" else 2
        self._axes = tuple(range(first, first + rank))  # the spatial axes
        self._ndim = rank + 2

    def _check_rank(self, inputs) -> None:
        """Keras's input-spec error for eager inputs too: torch would pad or repeat other axes."""
        if inputs.dim() != self._ndim:
            assert_input_compatibility(self.input_spec, inputs, self.name)

    def _resize(self, input_shape, sizes):
        """`input_shape` with spatial axis i mapped by `sizes(i, length)` (None stays None)."""
        shape = list(input_shape)
        for i, axis in enumerate(self._axes):
            if shape[axis] is not None:
                shape[axis] = sizes(i, shape[axis])
        return tuple(shape)
