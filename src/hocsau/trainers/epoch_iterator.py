"""`EpochIterator`: (step, batch) pairs for one epoch, honouring `steps_per_epoch`."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from hocsau import config

_END = object()


class EpochIterator:
    """Iterates an adapter once per epoch; with `steps`, yields that many batches per epoch
    from one iterator kept across epochs, as Keras does.

    A source used up exactly at the end of an epoch starts again at the next one; one that
    runs dry within an epoch ends that epoch with Keras's warning and starts again at the next
    (a one-shot generator then stays empty).
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
        fresh = self._persistent is None
        if fresh:
            self._persistent = iter(self._adapter)
        for step in range(self._steps):
            batch = next(self._persistent, _END)
            if batch is _END and step == 0 and not fresh:
                self._persistent = iter(self._adapter)
                batch = next(self._persistent, _END)
            if batch is _END:
                self._persistent = None
                warnings.warn("Your input ran out of data; interrupting training. Make sure "
                              "that your dataset or generator can generate at least "
                              "`steps_per_epoch * epochs` batches.", stacklevel=2)
                return
            yield step, batch

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
