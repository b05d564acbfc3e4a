"""`Rescaling`: `inputs * scale + offset`, e.g. pixel values from [0, 255] to [0, 1]."""

from __future__ import annotations

import torch

from hocsau import config
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras.layers")
class Rescaling(Layer):
    """Multiplies inputs by `scale` and adds `offset`, in the compute dtype.

    Args:
        scale: a number, or one value per channel (broadcast over the last axis, or over the
            first of the last three axes when the image data format is channels_first).
        offset: a number or per-channel values, added after scaling.
    """

    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.built = True

    def call(self, inputs):
        dtype = self._dtype_policy.torch_compute_dtype
        scale = torch.as_tensor(self.scale, dtype=dtype, device=inputs.device)
        offset = torch.as_tensor(self.offset, dtype=dtype, device=inputs.device)
        if scale.ndim and config.image_data_format() == "channels_first":
            scale = scale.reshape(tuple(scale.shape) + (1,) * (3 - scale.ndim))
        return inputs.to(dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"scale": serialize_keras_object(self.scale),
                       "offset": serialize_keras_object(self.offset)})
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        for key in ("scale", "offset"):
            config[key] = deserialize_keras_object(config[key])
        return cls(**config)
