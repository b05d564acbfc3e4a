"""`BaseGlobalPooling`: reduce every spatial axis (max or mean), keeping the channels."""

from __future__ import annotations

from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.utils.argument_validation import standardize_data_format


class BaseGlobalPooling(Layer):
    """Reduces the `rank` spatial axes of its input, in place (length 1) with `keepdims`.

    Args:
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
        keepdims: keep the spatial axes with length 1.
        rank: number of spatial axes (1, 2 or 3).
    """

    def __init__(self, data_format=None, keepdims=False, *, rank: int, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=rank + 2)
        first = 1 if self.data_format == "channels_last" else 2
        self._axes = tuple(range(first, first + rank))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.keepdims:
            return tuple(1 if i in self._axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in self._axes)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config
