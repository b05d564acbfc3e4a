"""`Softmax`: normalizes its input into probabilities, optionally under a mask."""

from __future__ import annotations

import torch

from hocsau import activations
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class Softmax(Layer):
    """`exp(x) / sum(exp(x))` along `axis`.

    Where a mask is given (a boolean, or numbers read as `mask > 0.5`, broadcastable to the
    input), masked-out positions get no probability: the output there is 0.

    Args:
        axis: the axis, or tuple of axes, that sums to 1.
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.built = True

    def call(self, inputs, mask=None):
        if mask is None:
            return activations.softmax(inputs, axis=self._axis())
        mask = _boolean_mask(mask, inputs)
        fill = -3e4 if inputs.dtype == torch.float16 else -1e9
        inputs = inputs.masked_fill(~mask, fill)
        outputs = activations.softmax(inputs, axis=self._axis())
        return outputs.masked_fill(~mask, 0.0)

    def _explain_input_error(self, inputs) -> None:
        super()._explain_input_error(inputs)
        rank = len(inputs.shape)
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        if any(a is not None and not -rank <= a < rank for a in axes):
            raise ValueError(f"Softmax layer '{self.name}' got axis={self.axis}, but its inputs "
                             f"have rank {rank}, so each axis should be in [-{rank}, {rank}). "
                             f"Received: inputs with shape {tuple(inputs.shape)}")

    def _axis(self):
        axis = self.axis
        return tuple(axis) if isinstance(axis, list) else axis

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


def _boolean_mask(mask: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
    """Check that `mask` broadcasts to `inputs` (Keras's rule) and make it boolean."""
    if mask.dim() > inputs.dim():
        raise ValueError("The `mask` must be broadcastable to `inputs` and must not have more "
                         f"dimensions. Received: inputs.shape={tuple(inputs.shape)}, "
                         f"mask.shape={tuple(mask.shape)}")
    for m_dim, i_dim in zip(reversed(mask.shape), reversed(inputs.shape), strict=False):
        if m_dim not in (1, i_dim):
            raise ValueError("The `mask` must be broadcastable to `inputs`. Each mask dimension "
                             "must be 1 or match the corresponding input dimension. Received: "
                             f"inputs.shape={tuple(inputs.shape)}, mask.shape={tuple(mask.shape)}")
    return mask if mask.dtype == torch.bool else mask > 0.5
