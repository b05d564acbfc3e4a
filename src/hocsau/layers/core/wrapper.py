"""`Wrapper`: the base of layers that hold one other layer and add behaviour around it."""

from __future__ import annotations

from hocsau.layers.layer import Layer
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras.layers")
class Wrapper(Layer):
    """Abstract wrapper: stores `layer`, builds it on the wrapper's input shape, and serializes
    it under the `layer` config key (TimeDistributed and SpectralNormalization derive from it).

    Args:
        layer: the wrapped `hocsau.layers.Layer`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`, ...).
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. "
                             "Please ensure wrapped layer is a valid Keras layer. "
                             f"Received: layer={layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None) -> None:
        if not self.layer.built:
            # Recorded as the layer's build config, so its serialized form rebuilds it.
            self.layer._build_shapes = None if input_shape is None else tuple(input_shape)
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects=custom_objects)
        return super().from_config(config)
