"""`PReLU`: a leaky rectifier whose negative slopes are learned."""

from __future__ import annotations

import torch

from hocsau import constraints, initializers, regularizers
from hocsau.layers.input_spec import InputSpec
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class, serialize_keras_object


@keras_class("keras.layers")
class PReLU(Layer):
    """`x` for `x >= 0`, `alpha * x` otherwise, with one learned `alpha` per input element.

    The weight `alpha` has the input's shape without the batch axis; each axis listed in
    `shared_axes` has size 1 in it, so e.g. `shared_axes=[1, 2]` on images learns one slope per
    channel.

    Args:
        alpha_initializer / alpha_regularizer / alpha_constraint: for the weight `alpha`.
        shared_axes: axis or axes (1-based, counting the batch as 0) that share one slope.
    """

    supports_masking = True

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape):
        shared = set(self.shared_axes or ())
        param_shape = [1 if axis in shared else d for axis, d in enumerate(input_shape) if axis]
        self.alpha = self.add_weight(shape=param_shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        # Keras pins the unshared axes only when some axes are shared.
        axes = {axis: input_shape[axis] for axis in range(1, len(input_shape))
                if shared and axis not in shared}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        return torch.where(inputs > 0, inputs, self.alpha * inputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "alpha_initializer": serialize_keras_object(self.alpha_initializer),
            "alpha_regularizer": serialize_keras_object(self.alpha_regularizer),
            "alpha_constraint": serialize_keras_object(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config
