"""`UnitNormalization`: scale each sample to unit L2 norm along `axis`."""

from __future__ import annotations

from hocsau.layers.layer import Layer
from hocsau.ops.nn_norm import normalize
from hocsau.saving.serialization import keras_class

_normalize = normalize.__wrapped__


@keras_class("keras.layers")
class UnitNormalization(Layer):
    """`x / sqrt(max(sum(x**2 over axis), 1e-12))`: every slice along `axis` gets norm 1."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int) and not (isinstance(axis, (list, tuple))
                                              and all(isinstance(a, int) for a in axis)):
            raise TypeError("Invalid value for `axis` argument: expected an int or a list/tuple "
                            f"of ints. Received: axis={axis}")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        return _normalize(inputs, axis=axis, order=2, epsilon=1e-12)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
