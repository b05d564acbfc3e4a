"""`Masking`: mark time steps whose features all equal `mask_value` as padding."""

from __future__ import annotations

from hocsau import ops
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Masking(Layer):
    """Masks (batch, steps, features) inputs: a step is skipped downstream when every feature
    equals `mask_value`; such steps are also zeroed in the output, as in Keras.

    Args:
        mask_value: the padding value.
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.built = True

    def call(self, inputs):
        keep = (inputs != self.mask_value).any(dim=-1, keepdim=True)
        return inputs * keep.to(inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        # Keras's ops, so a symbolic call records them as graph operations, as Keras does.
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
