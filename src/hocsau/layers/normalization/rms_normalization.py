"""`RMSNormalization`: scale by the root mean square over some axes, without centering."""

from __future__ import annotations

from hocsau import ops
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class RMSNormalization(Layer):
    """`x / sqrt(mean(x**2 over axis) + epsilon) * scale` (Zhang & Sennrich, 2019).

    Cheaper than LayerNormalization (no mean, no offset); computed in at least float32.

    Args:
        axis: int or list of ints, the axes normalized over; `scale` has their sizes. After
            `build`, a single int is stored as a one-element list, as Keras does.
        epsilon: small float added to the mean square.
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis'. "
                            f"Received: axis={axis!r}")
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        axes = sorted(self.axis) if isinstance(self.axis, (list, tuple)) else [self.axis]
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(f"Axis {a} is out of bounds for input shape "
                                 f"{tuple(input_shape)}. Received: axis={self.axis}")
        self.axis = axes
        self.scale = self.add_weight(name="scale", shape=tuple(input_shape[a] for a in axes),
                                     initializer="ones")
        self.built = True

    def call(self, inputs):
        return ops.rms_normalization(inputs, scale=self.scale, axis=self.axis,
                                     epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
