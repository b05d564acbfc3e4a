"""`SpatialDropout3D`: dropout of whole channels of 3-D feature maps."""

from __future__ import annotations

from hocsau.layers.regularization._spatial_dropout import SpatialDropout
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class SpatialDropout3D(SpatialDropout):
    """Drops each channel of each sample with probability `rate` (kept ones scaled by
    `1 / (1 - rate)`) over all 3-D positions at once; the identity unless training."""

    rank = 3
