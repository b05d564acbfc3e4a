"""Small helpers of the trainer's loops: argument handling, batch sizes, validation splits,
and how logs and predictions are handed back to the caller."""

from __future__ import annotations

import inspect

import numpy as np
import torch

from hocsau.models.symbolic import flatten, map_structure
from hocsau.ops.core import convert_to_numpy
from hocsau.trainers.data_adapters.array_adapter import ArrayAdapter


def takes_training(function) -> bool:
    """Whether a (compute_loss) function has a `training` parameter."""
    return "training" in inspect.signature(function).parameters


def verbosity(verbose) -> int:
    return 1 if verbose == "auto" else int(verbose)


def should_validate(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def rows_in_batch(x) -> int:
    return flatten(x)[0].shape[0]


def num_rows(x) -> int:
    first = flatten(x)[0] if isinstance(x, (list, tuple, dict)) else x
    return int(np.shape(first)[0]) if not isinstance(first, torch.Tensor) else first.shape[0]


def split_validation(x, y, sample_weight, validation_split: float):
    adapter = ArrayAdapter(x, y, sample_weight, batch_size=1)
    (tx, ty, tw), validation = adapter.split(validation_split)
    return tx, ty, tw, validation


def concat_to_numpy(outputs: list):
    """Each output's batches joined into one NumPy array, in the outputs' structure."""
    first = outputs[0]
    if not isinstance(first, (list, tuple, dict)):
        return _concat(outputs)
    flat = [flatten(o) for o in outputs]
    merged = iter([_concat(parts) for parts in zip(*flat, strict=False)])
    return map_structure(lambda _: next(merged), first)


def _concat(parts: list):
    """Tensors joined on their device, then copied once; string outputs (NumPy arrays, as
    `StringLookup(invert=True)` returns) joined as NumPy arrays of strings."""
    if isinstance(parts[0], torch.Tensor):
        return convert_to_numpy(torch.cat(parts))
    return np.concatenate([np.asarray(part) for part in parts])


def format_logs(logs: dict, return_dict: bool, names: list):
    """The (sorted) logs dict, or Keras's list: the values of `names` (the metrics' order),
    then the other logs in key order; one value alone."""
    if return_dict:
        return logs
    values = [logs[name] for name in names if name in logs]
    values += [logs[key] for key in sorted(logs) if key not in names]
    return values[0] if len(values) == 1 else values
