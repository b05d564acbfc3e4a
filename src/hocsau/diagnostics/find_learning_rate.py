"""`find_learning_rate`: the learning-rate range test (Smith, 2015), run without changing
the model."""

from __future__ import annotations

import contextlib
import math

import numpy as np
import torch

from hocsau.diagnostics._state import check_compiled, num_rows, preserved_state, take_rows
from hocsau.diagnostics.lr_finder_result import LRFinderResult
from hocsau.variable import Variable


def find_learning_rate(model, x, y, batch_size: int = 32, start_lr: float = 1e-7,
                       end_lr: float = 10.0, num_steps: int = 100, beta: float = 0.98,
                       verbose: int = 1) -> LRFinderResult:
    """Train `model` for up to `num_steps` batches while the learning rate grows
    exponentially from `start_lr` to `end_lr`, record the smoothed loss, and suggest the
    rate where it falls fastest. The model's weights, optimizer state and metrics are
    restored afterwards, bit for bit.

    Args:
        model: a compiled model.
        x, y: training inputs and targets (arrays, or lists / dicts of arrays).
        batch_size: rows per step; the data is cycled through in order.
        start_lr, end_lr: the range swept (`0 < start_lr < end_lr`).
        num_steps: steps of the sweep (at least 5).
        beta: the exponential smoothing of the loss (bias-corrected), in `[0, 1)`.
        verbose: 1 prints the verdict, 0 is silent.

    Returns:
        An `LRFinderResult` (`learning_rates`, `losses`, `raw_losses`, `suggestion`,
        `valley`, `plot()`). The sweep stops early when the smoothed loss exceeds four times
        its best value.
    """
    check_compiled(model, "find_learning_rate")
    _check_arguments(start_lr, end_lr, num_steps, beta, batch_size)
    rates = start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))
    with preserved_state(model), _settable_learning_rate(model.optimizer):
        raw, smooth = _sweep(model, x, y, batch_size, rates, beta)
    result = LRFinderResult(rates[:len(raw)], np.asarray(smooth), np.asarray(raw))
    if verbose:
        print(result.verdict())
    return result


def _check_arguments(start_lr, end_lr, num_steps, beta, batch_size) -> None:
    if not 0 < start_lr < end_lr:
        raise ValueError("`start_lr` and `end_lr` must satisfy 0 < start_lr < end_lr. "
                         f"Received: start_lr={start_lr}, end_lr={end_lr}")
    if num_steps < 5:
        raise ValueError(f"`num_steps` must be at least 5. Received: num_steps={num_steps}")
    if not 0 <= beta < 1:
        raise ValueError(f"`beta` must be in [0, 1). Received: beta={beta}")
    if batch_size < 1:
        raise ValueError(f"`batch_size` must be positive. Received: batch_size={batch_size}")


def _sweep(model, x, y, batch_size, rates, beta) -> tuple[list, list]:
    """One training step per rate; stops when the smoothed loss diverges."""
    rows = num_rows(x)
    raw, smooth, average, best = [], [], 0.0, math.inf
    for step, rate in enumerate(rates):
        start = (step * batch_size) % rows
        index = slice(start, min(start + batch_size, rows))
        model.optimizer.learning_rate = float(rate)
        logs = model.train_on_batch(take_rows(x, index), take_rows(y, index), return_dict=True)
        loss = float(logs["loss"])
        average = beta * average + (1 - beta) * loss
        smoothed = average / (1 - beta ** (step + 1))
        raw.append(loss)
        smooth.append(smoothed)
        best = min(best, smoothed)
        if not math.isfinite(smoothed) or smoothed > 4 * best:
            break
    return raw, smooth


@contextlib.contextmanager
def _settable_learning_rate(optimizer):
    """An optimizer built with a schedule gets a plain rate variable for the sweep, and its
    schedule back afterwards."""
    schedule = optimizer._learning_rate
    if isinstance(schedule, torch.Tensor):
        yield
        return
    optimizer._learning_rate = Variable(torch.zeros((), device=optimizer.iterations.device),
                                        trainable=False, name="learning_rate")
    try:
        yield
    finally:
        optimizer._learning_rate = schedule
