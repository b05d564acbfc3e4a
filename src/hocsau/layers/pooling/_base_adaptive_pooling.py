"""`BaseAdaptivePooling`: max or average pooling to a fixed spatial `output_size`.

Output step `i` of an axis of length `n` pools the input window
`[floor(i * n / out), ceil((i + 1) * n / out))` (PyTorch's adaptive pooling, which Keras's torch
backend runs), so the windows cover the input evenly whether or not `out` divides `n`.
Channels-last inputs are pooled through a channels-first view (`movedim`), no layout copy.
"""

from __future__ import annotations

import torch.nn.functional as F

from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.utils.argument_validation import standardize_data_format

_POOLS = {"average": {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d,
                      3: F.adaptive_avg_pool3d},
          "max": {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}}
_AXES = {1: "an integer or tuple of 1 integer", 2: "an integer or (height, width) tuple",
         3: "an integer or (depth, height, width) tuple"}


class BaseAdaptivePooling(Layer):
    """Pools the `rank` spatial axes down to `output_size`, keeping batch and channels.

    Args:
        output_size: int (the same size on every spatial axis) or tuple of `rank` ints.
        data_format: "channels_last" or "channels_first" (default: `image_data_format()`).
        rank: number of spatial axes (1, 2 or 3).
        mode: "max" or "average".
    """

    def __init__(self, output_size, data_format=None, *, rank: int, mode: str, **kwargs):
        super().__init__(**kwargs)
        self.output_size = _standardize_output_size(output_size, rank)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)
        self._pool = _POOLS[mode][rank]
        self._channels_last = self.data_format == "channels_last"

    def call(self, inputs):
        x = inputs.movedim(-1, 1) if self._channels_last else inputs
        out = self._pool(x, self.output_size)
        if isinstance(out, tuple):  # max pooling can also return the indices
            out = out[0]
        return out.movedim(1, -1) if self._channels_last else out

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._channels_last:
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"output_size": self.output_size, "data_format": self.data_format})
        return config


def _standardize_output_size(output_size, rank: int) -> tuple[int, ...]:
    """`output_size` as a tuple of `rank` positive ints; Keras's TypeError for other forms."""
    if isinstance(output_size, int) and not isinstance(output_size, bool):
        sizes = (output_size,) * rank
    elif isinstance(output_size, (tuple, list)) and len(output_size) == rank:
        sizes = tuple(output_size)
    elif isinstance(output_size, (tuple, list)) and rank == 1:  # Keras's 1D error type
        raise ValueError("For 1D input, `output_size` tuple must have length 1. Received: "
                         f"output_size={output_size!r}")
    else:
        raise TypeError(f"`output_size` must be {_AXES[rank]}. Received: "
                        f"output_size={output_size!r} of type {type(output_size)}")
    if not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ValueError("`output_size` must hold positive integers. Received: "
                         f"output_size={output_size!r}")
    return sizes
