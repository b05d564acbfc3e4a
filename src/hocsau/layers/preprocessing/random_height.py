"""`RandomHeight`: resizes the image height by a random factor while training."""

from __future__ import annotations

from hocsau.layers.preprocessing._random_size_layer import RandomSizeLayer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RandomHeight(RandomSizeLayer):
    """Resizes the height of every image in the batch to `int((1 + f) * height)`, `f` drawn
    once per call from the factor range (so a batch keeps one shape); the other axis is kept.
    Identity unless `training=True`. The tf.keras layer of the same name, over
    `ops.image.resize`.

    Args:
        factor, interpolation, seed, data_format: see `RandomSizeLayer`.
    """

    _AXIS = 0
