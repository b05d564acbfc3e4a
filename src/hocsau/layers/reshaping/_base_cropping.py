"""`BaseCropping`: entries removed before and after each spatial axis (a view, no copy)."""

from __future__ import annotations

from hocsau.layers.reshaping._spatial import SpatialLayer


class BaseCropping(SpatialLayer):
    """Crops the spatial axes by `pairs` ((before, after) per axis); returns a view."""

    def __init__(self, pairs, rank: int, data_format=None, **kwargs):
        super().__init__(rank, data_format, **kwargs)
        self._pairs = pairs
        index = [slice(None)] * (rank + 2)
        for axis, (before, after) in zip(self._axes, pairs, strict=True):
            index[axis] = slice(before, -after if after else None)
        self._index = tuple(index)

    def call(self, inputs):
        self._check_rank(inputs)
        self._check_sizes(tuple(inputs.shape))
        return inputs[self._index]

    def compute_output_shape(self, input_shape):
        self._check_sizes(tuple(input_shape))
        return self._resize(input_shape, lambda i, n: n - sum(self._pairs[i]))

    def _check_sizes(self, shape) -> None:
        for axis, pair in zip(self._axes, self._pairs, strict=True):
            if shape[axis] is not None and sum(pair) >= shape[axis]:
                raise ValueError(
                    f"Values in `cropping` argument of layer '{self.name}' should be smaller "
                    "than the corresponding spatial dimension of the input. Received: "
                    f"input_shape={shape}, cropping={self.cropping}")

    def get_config(self) -> dict:
        config = super().get_config()
        config["cropping"] = self.cropping
        if len(self._axes) > 1:  # Keras's Cropping1D has no data_format
            config["data_format"] = self.data_format
        return config
