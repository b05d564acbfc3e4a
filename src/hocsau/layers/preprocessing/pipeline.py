"""`Pipeline`: a plain layer that applies a list of layers in turn."""

from __future__ import annotations

from torch import nn

from hocsau.layers.layer import Layer
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras.layers")
class Pipeline(Layer):
    """Applies `layers` one after the other, typically an augmentation chain.

    Unlike a `Sequential` model it is a plain layer (no `fit`, no input shape needed), and
    it passes through whatever structure its layers take, such as the dicts of images and
    labels that MixUp and CutMix mix. `training` reaches every layer whose `call` takes it,
    and a Keras mask flows from each layer to the next.

    Args:
        layers: a list of layers (kept as `self.layers`, a `torch.nn.ModuleList`).
        name: the layer's name.
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        if not isinstance(layers, (list, tuple)) or not all(
                isinstance(layer, Layer) for layer in layers):
            raise ValueError(f"`Pipeline` expects a list of layers. Received: layers={layers}")
        # A module list under Keras's attribute name, so weight files have Keras's paths.
        self.layers = nn.ModuleList(layers)

    def call(self, inputs, training=True, mask=None):
        for layer in self.layers:
            takes_training, takes_mask = layer._call_info[:2]
            kwargs = {"training": training} if takes_training and training is not None else {}
            if takes_mask and mask is not None:
                kwargs["mask"] = mask
            inputs = layer(inputs, **kwargs)
            mask = getattr(inputs, "_keras_mask", None)
        return inputs

    def get_config(self) -> dict:
        return {"layers": serialize_keras_object(list(self.layers)), "name": self.name}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list "
                             f"of serialized layers. Received: layers={layers}")
        layers = [deserialize_keras_object(layer, custom_objects=custom_objects)
                  for layer in layers]
        return cls(layers, name=config.get("name"))
