"""`BaseZeroPadding`: zeros added before and after each spatial axis."""

from __future__ import annotations

import torch.nn.functional as F

from hocsau.layers.reshaping._spatial import SpatialLayer


class BaseZeroPadding(SpatialLayer):
    """Pads the spatial axes with zeros by `pairs` ((before, after) per axis), in one copy."""

    def __init__(self, pairs, rank: int, data_format=None, **kwargs):
        super().__init__(rank, data_format, **kwargs)
        self._pairs = pairs
        # F.pad lists the last axis first; a trailing channels axis gets (0, 0).
        trailing = (0, 0) if self.data_format == "channels_last" else ()
        self._torch_pad = trailing + tuple(p for pair in reversed(pairs) for p in pair)

    def call(self, inputs):
        self._check_rank(inputs)
        return F.pad(inputs, self._torch_pad)

    def compute_output_shape(self, input_shape):
        return self._resize(input_shape, lambda i, n: n + sum(self._pairs[i]))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
