"""Data adapters: turn what `fit` / `evaluate` / `predict` receive into batches on the device.

    arrays / tensors / lists / dicts -> ArrayAdapter (moved to the device once, batched by index)
    Python generators / iterators   -> GeneratorAdapter
    utils.Sequence / PyDataset      -> SequenceAdapter
    torch DataLoader, hocsau Dataset, other iterables -> IterableAdapter
"""

from __future__ import annotations

import types

from hocsau.trainers.data_adapters.array_adapter import ArrayAdapter, is_array_like
from hocsau.trainers.data_adapters.batch_utils import describe
from hocsau.trainers.data_adapters.generator_adapter import GeneratorAdapter, IterableAdapter
from hocsau.trainers.data_adapters.sequence_adapter import SequenceAdapter


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None,
                     shuffle=False, class_weight=None):
    """The adapter for `x` (with `y` and `sample_weight` when x holds only the inputs)."""
    if _is_sequence(x):
        _reject_targets(x, y, sample_weight)
        return SequenceAdapter(x, shuffle=shuffle, class_weight=class_weight)
    if isinstance(x, (types.GeneratorType, map, filter)) or (
            hasattr(x, "__next__") and not is_array_like(x)):
        _reject_targets(x, y, sample_weight)
        return GeneratorAdapter(x, class_weight=class_weight)
    if is_array_like(x):
        return ArrayAdapter(x, y, sample_weight, batch_size=batch_size or 32, shuffle=shuffle,
                            class_weight=class_weight, steps=steps_per_epoch)
    if hasattr(x, "__iter__"):
        _reject_targets(x, y, sample_weight)
        return IterableAdapter(x, class_weight=class_weight)
    raise ValueError(
        "Unrecognized data type: x=" + describe(x) + ". Expected numpy arrays, torch tensors, "
        "lists or dicts of them, a generator, a `utils.PyDataset`, a torch DataLoader or a "
        "`hocsau.data.Dataset`.")


def _is_sequence(x) -> bool:
    from hocsau.utils.py_dataset import PyDataset

    return isinstance(x, PyDataset) or (
        hasattr(x, "__getitem__") and hasattr(x, "__len__") and hasattr(x, "on_epoch_end")
        and not is_array_like(x))


def _reject_targets(x, y, sample_weight) -> None:
    if y is not None or sample_weight is not None:
        raise ValueError(
            "When providing `x` as a generator, PyDataset, DataLoader or Dataset, `y` and "
            "`sample_weight` must not be given: the data should yield (x, y) or "
            f"(x, y, sample_weight). Received: x={describe(x)}, y={describe(y)}")


__all__ = ["ArrayAdapter", "GeneratorAdapter", "IterableAdapter", "SequenceAdapter",
           "get_data_adapter"]
