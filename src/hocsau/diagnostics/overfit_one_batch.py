"""`overfit_one_batch`: the first debugging step of the recipe — a network that cannot
memorize a handful of examples has a bug."""

from __future__ import annotations

import math

import numpy as np

from hocsau.diagnostics import _model_checks as checks
from hocsau.diagnostics._state import check_compiled, take_rows, trained_copy
from hocsau.diagnostics.overfit_result import OverfitResult


def overfit_one_batch(model, x, y, batch_size: int = 8, steps: int = 200,
                      verbose: int = 1) -> OverfitResult:
    """Train a copy of `model` (same architecture, compile config and weights) for `steps`
    steps on its first `batch_size` examples, and say whether the loss reached its floor and,
    if not, the likely causes: frozen layers, the learning rate, an output activation that
    does not suit the loss, labels out of range for the output. `model` is not changed.

    Returns:
        An `OverfitResult` (`losses`, `reached_floor`, `problems`, `ok`, `verdict()`).
    """
    check_compiled(model, "overfit_one_batch")
    if batch_size < 1 or steps < 1:
        raise ValueError("`batch_size` and `steps` must be positive. Received: "
                         f"batch_size={batch_size}, steps={steps}")
    xb, yb = take_rows(x, slice(0, batch_size)), take_rows(y, slice(0, batch_size))
    problems = _static_problems(model, xb, yb)
    copy = trained_copy(model)
    losses, error = _train(copy, xb, yb, steps)
    if error is not None:
        problems.append(f"training failed: {error}")
    result = OverfitResult(np.asarray(losses, dtype="float64"), problems)
    if not result.reached_floor:
        result.problems.extend(_dynamic_problems(model, result))
    if verbose:
        print(result.verdict())
    return result


def _static_problems(model, xb, yb) -> list[str]:
    width = int(model.predict_on_batch(xb).shape[-1])
    found = [checks.activation_loss_mismatch(model), checks.labels_out_of_range(model, yb, width)]
    if not model.trainable_weights:
        found.append("no trainable weights: every layer is frozen ("
                     + ", ".join(checks.frozen_layers(model)) + ")")
    return [problem for problem in found if problem]


def _train(copy, xb, yb, steps) -> tuple[list, str | None]:
    losses = []
    try:
        if not copy.trainable_weights:  # nothing can move: the loss is what it is
            return [float(copy.test_on_batch(xb, yb, return_dict=True)["loss"])], None
        for _ in range(steps):
            losses.append(float(copy.train_on_batch(xb, yb, return_dict=True)["loss"]))
            if not math.isfinite(losses[-1]):
                break
    except (ValueError, RuntimeError, IndexError) as error:  # a diagnostic reports, not raises
        return losses, str(error).splitlines()[0]
    return losses, None


def _dynamic_problems(model, result) -> list[str]:
    """Causes read from the loss curve and the layers, when the floor was not reached."""
    found = []
    frozen = checks.frozen_layers(model)
    if frozen and model.trainable_weights:
        found.append("frozen layers: " + ", ".join(frozen))
    losses = result.losses
    if len(losses) and (not np.isfinite(losses).all() or losses[-1] > losses[0]):
        found.append("learning rate: the loss grew or diverged; try a lower learning rate "
                     f"(now {_rate(model)})")
    elif len(losses) and model.trainable_weights:
        found.append("learning rate: the loss fell too slowly; try a higher learning rate "
                     f"(now {_rate(model)}) or more steps")
    return found


def _rate(model) -> str:
    try:
        return f"{float(model.optimizer.learning_rate):.3g}"
    except (AttributeError, TypeError):
        return "a schedule"
