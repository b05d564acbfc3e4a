"""`SpatialDropout1D`: dropout of whole channels of 1-D feature maps."""

from __future__ import annotations

from hocsau.layers.regularization._spatial_dropout import SpatialDropout
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class SpatialDropout1D(SpatialDropout):
    """Drops each channel of each sample with probability `rate` (kept ones scaled by
    `1 / (1 - rate)`) over all 1-D positions at once; the identity unless training."""

    rank = 1

    def __init__(self, rate: float, seed=None, **kwargs):
        super().__init__(rate, "channels_last", seed, **kwargs)
