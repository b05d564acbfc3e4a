"""`BaselineResult`: the metrics of trivial predictors a trained model must beat."""

from __future__ import annotations


class BaselineResult:
    """What trivial predictors score on the targets.

    Attributes:
        task: "binary", "multiclass" or "regression".
        metrics: name -> value, e.g. {"majority_accuracy": 0.9, "prior_crossentropy": 0.33}.
    """

    def __init__(self, task: str, metrics: dict):
        self.task = task
        self.metrics = metrics

    def __getitem__(self, name: str) -> float:
        return self.metrics[name]

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v:.4f}" for k, v in self.metrics.items())
        return f"BaselineResult(task={self.task!r}, {values})"
