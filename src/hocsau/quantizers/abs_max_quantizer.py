"""`AbsMaxQuantizer`: symmetric quantization scaled by the largest magnitude along an axis."""

from __future__ import annotations

from hocsau import config
from hocsau.quantizers.functions import abs_max_quantize
from hocsau.quantizers.quantizer import Quantizer
from hocsau.saving.serialization import keras_class


@keras_class("keras.quantizers")
class AbsMaxQuantizer(Quantizer):
    """`round(x * value_range[1] / (max|x| along axis + epsilon))`, clipped, and that scale.

    Args:
        axis: default reduction axis (Keras deprecates it here in favour of `__call__`'s).
        value_range: (low, high) of the quantized values; within [-128, 127] for int8.
        epsilon: keeps the scale finite for an all-zero slice.
        output_dtype: the dtype of the quantized values.
    """

    def __init__(self, axis=None, value_range=(-127, 127), epsilon=None,
                 output_dtype: str = "int8"):
        super().__init__(output_dtype=output_dtype)
        self.axis = None if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        self.value_range = tuple(value_range)
        self.epsilon = config.epsilon() if epsilon is None else epsilon
        if output_dtype == "int8" and (value_range[0] < -128 or value_range[1] > 127):
            raise ValueError("Quantizer with output_dtype='int8' requires value_range to be "
                             "within the interval [-128, 127]. Received: "
                             f"value_range={value_range}")

    def __call__(self, x, axis=None, to_numpy: bool = False):
        """(quantized x, scale); `axis` defaults to the constructor's, else -1."""
        axis = axis if axis is not None else self.axis if self.axis is not None else -1
        return abs_max_quantize(x, axis, self.value_range, self.output_dtype, self.epsilon,
                                to_numpy)

    def get_config(self) -> dict:
        result = {"value_range": self.value_range, "epsilon": self.epsilon,
                  "output_dtype": self.output_dtype}
        if self.axis is not None:
            result["axis"] = self.axis
        return result
