"""`TimeDistributed`: applies one layer to every time step of a sequence."""

from __future__ import annotations

import torch

from hocsau.layers.core.wrapper import Wrapper
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class TimeDistributed(Wrapper):
    """`TimeDistributed(layer)` maps (batch, time, ...) to (batch, time, layer output ...).

    The same weights serve every step. Steps are folded into the batch axis and the layer runs
    once (any layer: Dense, Conv2D over video frames, ...). A layer holding
    BatchNormalization runs step by step in training, as Keras does, so its batch statistics are
    per step. A `(batch, time)` mask reaches layers that take one and passes through.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a "
                             f"`hocsau.layers.Layer` instance. Received: {layer}")
        super().__init__(layer, **kwargs)
        self.supports_masking = True
        self._per_step_in_training = any(type(m).__name__ == "BatchNormalization"
                                         for m in layer.modules())

    @staticmethod
    def _step_shape(input_shape) -> tuple:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at "
                             f"least 3 dimensions, received: {input_shape}")
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape) -> None:
        super().build(self._step_shape(tuple(input_shape)))

    def call(self, inputs, training=None, mask=None):
        if mask is not None and (mask.dim() < 2 or mask.shape[:2] != inputs.shape[:2]):
            raise ValueError("The `mask` passed to the `TimeDistributed` layer has a shape "
                             f"{tuple(mask.shape)} that is incompatible with the input shape "
                             f"{tuple(inputs.shape)}: its first two axes must be (batch, time).")
        expects_training, expects_mask = self.layer._call_info[:2]
        kwargs = {"training": training} if expects_training else {}
        if training and self._per_step_in_training:
            steps = []
            for t in range(inputs.shape[1]):
                if expects_mask and mask is not None:
                    kwargs["mask"] = mask[:, t]
                steps.append(self.layer(inputs[:, t], **kwargs))
            return torch.stack(steps, dim=1)
        batch, steps = inputs.shape[:2]
        if expects_mask and mask is not None:
            kwargs["mask"] = mask.reshape((batch * steps,) + tuple(mask.shape[2:]))
        folded = self.layer(inputs.reshape((batch * steps,) + tuple(inputs.shape[2:])), **kwargs)
        return folded.reshape((batch, steps) + tuple(folded.shape[1:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape(self._step_shape(tuple(input_shape)))
        return (inner[0], input_shape[1], *inner[1:])
