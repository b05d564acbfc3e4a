"""`KerasTensor`: Keras 3's public name and constructor for hocsau's symbolic tensors."""

from __future__ import annotations

from hocsau.models.symbolic import SymbolicTensor


class _AnySymbolic(type):
    """Every symbolic tensor (from `Input`, a layer or an op) is a `KerasTensor`."""

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, SymbolicTensor)


class KerasTensor(SymbolicTensor, metaclass=_AnySymbolic):
    """A symbolic tensor: a shape (None for unknown axes) and a dtype, with the history of
    the operation that made it. Build `hocsau.Function` graphs or functional models on it.

    Args:
        shape: a tuple of ints or None.
        dtype: the dtype name (default "float32").
        sparse / ragged: accepted for Keras compatibility (hocsau tensors are dense).
        record_history: whether operations on it record graph nodes.
        name: an optional name.
    """

    def __init__(self, shape, dtype="float32", sparse: bool = False, ragged: bool = False,
                 record_history: bool = True, name: str | None = None, **kwargs):
        for key in ("ragged_rank", "row_splits_dtype"):
            kwargs.pop(key, None)
        if kwargs:
            raise TypeError(f"Unexpected keyword arguments: {', '.join(kwargs)}")
        if sparse and ragged:
            raise ValueError("KerasTensor cannot have `sparse=True` and `ragged=True` at the "
                             "same time.")
        if shape is None or not hasattr(shape, "__iter__"):
            raise ValueError(f"Cannot convert '{shape}' to a shape.")
        super().__init__(tuple(shape), dtype, name=name, sparse=bool(sparse))
        self.ragged = bool(ragged)
        self.record_history = record_history
