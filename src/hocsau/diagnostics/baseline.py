"""`baseline`: majority / prior / mean predictors, the scores a model must beat (seed 004's
first step: know what "learning nothing" scores before reading a model's metrics)."""

from __future__ import annotations

import numpy as np

from hocsau.diagnostics._model_checks import output_activation
from hocsau.diagnostics.baseline_result import BaselineResult

_TASKS = ("binary", "multiclass", "regression")


def baseline(task, y, verbose: int = 1) -> BaselineResult:
    """Metrics of trivial predictors on the targets `y`.

    Args:
        task: "binary", "multiclass" or "regression", or a model (a sigmoid output is
            binary, softmax multiclass, anything else regression).
        y: the targets (labels 0/1, class indices or one-hot rows, or numbers).

    Returns:
        A `BaselineResult`. Classification: the majority class's accuracy, the expected
        accuracy of guessing from the class prior, and the crossentropy of predicting the
        prior; regression: the MSE of predicting the mean and the MAE of the median.
    """
    task = _task_of(task)
    y = np.asarray(y)
    metrics = (_regression(y) if task == "regression" else
               _classification(_labels(y, task), 2 if task == "binary" else None))
    result = BaselineResult(task, metrics)
    if verbose:
        print(f"baseline ({task}): " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items())
              + " -- a useful model must do better.")
    return result


def _task_of(task) -> str:
    if isinstance(task, str):
        if task not in _TASKS:
            raise ValueError(f"`task` must be one of {_TASKS} or a model. Received: task={task!r}")
        return task
    activation = output_activation(task)
    return {"sigmoid": "binary", "softmax": "multiclass"}.get(activation, "regression")


def _labels(y: np.ndarray, task: str) -> np.ndarray:
    if task == "multiclass" and y.ndim >= 2 and y.shape[-1] > 1:
        return y.reshape(-1, y.shape[-1]).argmax(axis=1)
    return y.reshape(-1).astype("int64")


def _classification(labels: np.ndarray, classes: int | None) -> dict:
    counts = np.bincount(labels, minlength=classes or 0).astype("float64")
    prior = counts / counts.sum()
    present = prior[prior > 0]
    return {"majority_accuracy": float(prior.max()),
            "prior_guess_accuracy": float((prior ** 2).sum()),
            "prior_crossentropy": float(-(present * np.log(present)).sum())}


def _regression(y: np.ndarray) -> dict:
    values = y.reshape(len(y), -1).astype("float64")
    return {"mean_predictor_mse": float(((values - values.mean(axis=0)) ** 2).mean()),
            "median_predictor_mae": float(np.abs(values - np.median(values, axis=0)).mean())}
