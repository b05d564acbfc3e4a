"""Shared base of `RandomHeight` and `RandomWidth`: resize one spatial axis of the whole
batch by a random factor while training."""

from __future__ import annotations

import torch

from hocsau import random
from hocsau.layers.preprocessing._image_layer import RandomImageLayer, check_choice
from hocsau.ops import image

INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")


class RandomSizeLayer(RandomImageLayer):
    """Stretches axis `_AXIS` (0: height, 1: width) by `1 + f`, with `f` drawn once per call
    from the factor range; identity unless `training=True`.

    The new size is `int(float32(1 + f) * size)` (tf.keras's rounding), at least one pixel.
    One scalar is read back to the host per call: the output shape depends on it.

    Args:
        factor: a number `f` (meaning `(-f, f)`) or a pair `(lower, upper)`; every value must be
            at least -1, the upper bound no smaller than the lower.
        interpolation: 'bilinear', 'nearest', 'bicubic', 'lanczos3' or 'lanczos5' (as
            `ops.image.resize`, without antialiasing).
        seed: an integer for reproducible sizes.
        data_format: 'channels_last' (default from config) or 'channels_first'.
    """

    _AXIS = 0

    def __init__(self, factor, interpolation="bilinear", seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self._range = _size_range(factor)
        check_choice("interpolation", interpolation, INTERPOLATIONS)
        self.factor = factor
        self.interpolation = interpolation

    def call(self, inputs, training=True):
        inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        if not training:
            return inputs
        axes = self._spatial_axes
        size = [inputs.shape[axes[0]], inputs.shape[axes[1]]]
        scale = random.uniform((), 1.0 + self._range[0], 1.0 + self._range[1],
                               dtype="float32", seed=self.generator)
        size[self._AXIS] = max(1, int(scale.cpu() * torch.tensor(size[self._AXIS],
                                                                 dtype=torch.float32)))
        return image.resize(inputs, size, self.interpolation,
                            data_format=self.data_format).to(inputs.dtype)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[self._spatial_axes[self._AXIS]] = None
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "interpolation": self.interpolation})
        return config


def _size_range(factor) -> tuple[float, float]:
    """`(lower, upper)` from `f` (meaning `(-f, f)`) or a pair, checked as tf.keras does."""
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        factor_pair = (-factor, factor)
    elif isinstance(factor, (tuple, list)) and len(factor) == 2 and all(
            isinstance(f, (int, float)) and not isinstance(f, bool) for f in factor):
        factor_pair = factor
    else:
        raise ValueError("The `factor` argument should be a number or a list of two numbers. "
                         f"Received: factor={factor}")
    lower, upper = factor_pair
    if upper < lower:
        raise ValueError("The `factor` argument cannot have an upper bound less than the lower "
                         f"bound. Received: factor={factor}")
    if lower < -1.0:
        raise ValueError("The `factor` argument must have values larger than -1. "
                         f"Received: factor={factor}")
    return float(lower), float(upper)
