"""`Identity`: returns its input unchanged."""

from __future__ import annotations

from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Identity(Layer):
    """A placeholder layer: output is input (any structure), mask included."""

    supports_masking = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def call(self, inputs):
        return inputs
