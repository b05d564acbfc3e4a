"""`InputLayer` and `Input`: where a graph starts."""

from __future__ import annotations

import numbers

from hocsau import config
from hocsau.layers.layer import Layer
from hocsau.models.symbolic import Node, SymbolicTensor
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class InputLayer(Layer):
    """The layer behind `Input`: it holds the symbolic tensor a model starts from.

    Args:
        shape: the shape without the batch axis, e.g. (28, 28, 1).
        batch_size: a fixed batch size, or None.
        dtype: the input dtype (default floatx).
        batch_shape: the full shape including the batch axis (instead of shape/batch_size).
        input_tensor: an existing symbolic tensor to use instead of a new one.
        name: the layer (and tensor) name.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        if kwargs.pop("ragged", None):
            raise ValueError("`ragged=True` is not supported with the torch backend: ragged "
                             "tensors are TensorFlow's. Pad the sequences (e.g. "
                             "`hocsau.utils.pad_sequences`) and use a `Masking` layer or "
                             "`mask_zero=True` instead.")
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        # A string input has no torch dtype: the layer keeps the default policy.
        strings = config.standardize_dtype(dtype) == "string"
        super().__init__(name=name, dtype=None if strings else dtype, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_shape is None:
            if shape is None:
                if input_tensor is None:
                    raise ValueError("You must pass a `shape` argument.")
                batch_shape = input_tensor.shape
            else:
                shape = (shape,) if isinstance(shape, int) else tuple(shape)
                batch_shape = (batch_size,) + shape
        self._batch_shape = _checked_shape(shape if shape is not None else batch_shape,
                                           tuple(batch_shape))
        self._input_dtype = config.standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        tensor = input_tensor or SymbolicTensor(self._batch_shape, self._input_dtype,
                                                name=self.name)
        Node(self, (), {}, tensor)

    @property
    def batch_shape(self) -> tuple:
        return self._batch_shape

    @property
    def dtype(self) -> str:
        return self._input_dtype

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        return {"batch_shape": list(self._batch_shape), "dtype": self._input_dtype,
                "sparse": self.sparse, "ragged": False, "name": self.name,
                "optional": self.optional}


def _checked_shape(given, batch_shape: tuple) -> tuple:
    """`batch_shape` with plain ints (or None); Keras's error for a negative or non-integer
    entry of the shape the user gave."""
    dims = []
    for dim in batch_shape:
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, numbers.Integral)):
            raise ValueError(f"Cannot convert '{given}' to a shape. Found invalid entry "
                             f"'{dim}' of type '{type(dim).__name__}'.")
        if dim is not None and dim < 0:
            raise ValueError(f"Cannot convert '{given}' to a shape. Negative dimensions are "
                             "not allowed.")
        dims.append(None if dim is None else int(dim))
    return tuple(dims)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
          name=None, tensor=None, optional=False) -> SymbolicTensor:
    """A symbolic tensor to start a functional model from: `Input(shape=(784,))`."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, input_tensor=tensor, optional=optional, name=name,
                       ragged=ragged)
    return layer.output
