"""`EpochIterator`: (step, batch) pairs for one epoch, honouring `steps_per_epoch`."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from hocsau import config


class EpochIterator:
    """Iterates an adapter once per epoch; stops after `steps` batches when given.

    For one-shot sources (generators) the same underlying iterator continues across epochs,
    as in Keras; running dry ends the epoch with a warning.
    """

    def __init__(self, adapter, steps: int | None = None):
        self._adapter = adapter
        self._steps = config.limited_steps(steps)
        self._persistent = None

    @property
    def num_batches(self) -> int | None:
        """Batches per epoch: `steps`, else the adapter's count (None when unknown)."""
        if self._steps is not None:
            return self._steps
        return self._adapter.num_batches

    def __iter__(self):
        if self._steps is None:
            yield from enumerate(self._adapter)
            return
        step = 0
        while step < self._steps:
            source = self._source()
            produced = False
            for batch in source:
                produced = True
                yield step, batch
                step += 1
                if step >= self._steps:
                    return
            self._persistent = None
            if not produced:
                warnings.warn(f"Your input ran out of data after {step} steps; interrupting "
                              f"the epoch (expected {self._steps} steps).", stacklevel=2)
                return

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close the source kept across epochs (a generator's `finally` stops its workers)."""
        source, self._persistent = self._persistent, None
        close = getattr(source, "close", None)
        if close is not None:
            close()

    def _source(self):
        if self._persistent is None:
            self._persistent = iter(self._adapter)
        return self._persistent


def logs_to_python(logs: dict) -> dict:
    """Keras's log format: keys sorted, a nested dict (a metric container's result) expanded
    in its place, tensors as Python floats with one device sync for all of them."""
    logs = _sorted_flat(logs or {})
    if not logs:
        return {}
    names = list(logs)
    values = [logs[n] for n in names]
    tensors = [v for v in values if isinstance(v, torch.Tensor)]
    if len(tensors) == len(values) and all(t.numel() == 1 for t in tensors):
        floats = torch.stack([t.detach().reshape(()).to(torch.float64) for t in tensors]).tolist()
        return dict(zip(names, floats, strict=False))
    return {n: _to_python(v) for n, v in zip(names, values, strict=False)}


def _sorted_flat(logs: dict) -> dict:
    result = {}
    for key, value in sorted(logs.items()):
        if isinstance(value, dict):
            result.update(_sorted_flat(value))
        else:
            result[key] = value
    return result


def _to_python(value):
    """Keras's rule: a float where the value is a number (any one-element array), else the
    value itself (tensors as numpy arrays)."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, (np.ndarray, np.generic, int, float)) and np.size(value) == 1 \
            and np.asarray(value).dtype.kind in "biuf":
        return float(np.asarray(value).reshape(()))
    return value
