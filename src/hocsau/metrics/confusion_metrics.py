"""Metrics over thresholded confusion-matrix counts: the counts themselves, precision and
recall, and the "best X where Y reaches a target" family (PrecisionAtRecall, ...).
"""

from __future__ import annotations

import torch

from hocsau.metrics import _confusion, _utils
from hocsau.metrics.metric import Metric
from hocsau.saving.serialization import keras_class


class _ConditionCount(Metric):
    """The weighted number of (label, prediction) pairs in one confusion-matrix cell."""

    _cell = "tp"

    def __init__(self, thresholds=None, name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _confusion.parse_thresholds(thresholds, default=0.5)
        self._evenly = _confusion.evenly_spaced(self.thresholds)
        self.accumulator = self._add_zeros("accumulator", (len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        _confusion.update({self._cell: self.accumulator}, y_true, y_pred, self.thresholds,
                          sample_weight=sample_weight, evenly=self._evenly)

    def result(self) -> torch.Tensor:
        counts = self.accumulator.detach().clone()
        return counts[0] if len(self.thresholds) == 1 else counts

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


_COUNT_DOC = """The weighted number of {what}.

    Args:
        thresholds: a float or list of floats in [0, 1]; a prediction above a threshold counts
            as positive (default 0.5). With several, the result has one count per threshold.
        name: the metric's name.
        dtype: the dtype of the state and result.
    """


@keras_class("keras.metrics")
class TruePositives(_ConditionCount):
    __doc__ = _COUNT_DOC.format(what="true positives (label 1, prediction above threshold)")
    _cell = "tp"


@keras_class("keras.metrics")
class FalsePositives(_ConditionCount):
    __doc__ = _COUNT_DOC.format(what="false positives (label 0, prediction above threshold)")
    _cell = "fp"


@keras_class("keras.metrics")
class TrueNegatives(_ConditionCount):
    __doc__ = _COUNT_DOC.format(what="true negatives (label 0, prediction at most threshold)")
    _cell = "tn"


@keras_class("keras.metrics")
class FalseNegatives(_ConditionCount):
    __doc__ = _COUNT_DOC.format(what="false negatives (label 1, prediction at most threshold)")
    _cell = "fn"


class _PrecisionRecall(Metric):
    """tp / (tp + other) at each threshold, where `other` is fp (precision) or fn (recall)."""

    _direction = "up"

    _other = "fp"

    def __init__(self, thresholds=None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else _confusion.NEG_INF
        self.thresholds = _confusion.parse_thresholds(thresholds, default=default)
        self._evenly = _confusion.evenly_spaced(self.thresholds)
        shape = (len(self.thresholds),)
        self.true_positives = self._add_zeros("true_positives", shape)
        other_name = "false_positives" if self._other == "fp" else "false_negatives"
        setattr(self, other_name, self._add_zeros(other_name, shape))
        self._other_counts = getattr(self, other_name)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        _confusion.update({"tp": self.true_positives, self._other: self._other_counts},
                          y_true, y_pred, self.thresholds, top_k=self.top_k,
                          class_id=self.class_id, sample_weight=sample_weight,
                          evenly=self._evenly)

    def result(self) -> torch.Tensor:
        tp = self.true_positives.detach()
        value = _utils.divide_no_nan(tp, tp + self._other_counts.detach())
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


_PRECISION_RECALL_DOC = """{what}

    Args:
        thresholds: a float or list of floats in [0, 1]; a prediction above a threshold counts
            as positive (default 0.5, or "the top k" with `top_k`). With several, the result
            has one value per threshold.
        top_k: only the `top_k` highest predictions of each row count as positive.
        class_id: compute the metric for this class (last axis) only.
        name: the metric's name.
        dtype: the dtype of the state and result.
    """


@keras_class("keras.metrics")
class Precision(_PrecisionRecall):
    __doc__ = _PRECISION_RECALL_DOC.format(
        what="The fraction of positive predictions that are right: tp / (tp + fp).")
    _other = "fp"


@keras_class("keras.metrics")
class Recall(_PrecisionRecall):
    __doc__ = _PRECISION_RECALL_DOC.format(
        what="The fraction of positive labels that are found: tp / (tp + fn).")
    _other = "fn"


class _AtConstraint(Metric):
    """The best value of one rate over the thresholds where another rate reaches a target.

    All four counts are kept at `num_thresholds` evenly spaced thresholds in [0, 1].
    Subclasses name the target argument and pick the two rates.
    """

    _direction = "up"

    _target_arg = "recall"

    def __init__(self, target: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        if target < 0 or target > 1:
            raise ValueError(f"Argument `{self._target_arg}` must be in the range [0, 1]. "
                             f"Received: {self._target_arg}={target}")
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        super().__init__(name=name, dtype=dtype)
        setattr(self, self._target_arg, target)
        self.value = target
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0, *inner, 1.0], True
        shape = (len(self.thresholds),)
        self.true_positives = self._add_zeros("true_positives", shape)
        self.false_positives = self._add_zeros("false_positives", shape)
        self.true_negatives = self._add_zeros("true_negatives", shape)
        self.false_negatives = self._add_zeros("false_negatives", shape)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        counts = {"tp": self.true_positives, "tn": self.true_negatives,
                  "fp": self.false_positives, "fn": self.false_negatives}
        _confusion.update(counts, y_true, y_pred, self.thresholds, class_id=self.class_id,
                          sample_weight=sample_weight, evenly=self._evenly)

    def _rates(self) -> dict[str, torch.Tensor]:
        tp, fp = self.true_positives.detach(), self.false_positives.detach()
        tn, fn = self.true_negatives.detach(), self.false_negatives.detach()
        recall = _utils.divide_no_nan(tp, tp + fn)
        return {"recall": recall, "sensitivity": recall,
                "precision": _utils.divide_no_nan(tp, tp + fp),
                "specificity": _utils.divide_no_nan(tn, tn + fp)}

    def _best(self, constrained: str, dependent: str) -> torch.Tensor:
        """Max of `dependent` over thresholds where `constrained` >= the target (else 0)."""
        rates = self._rates()
        feasible = rates[constrained] >= self.value
        return torch.where(feasible, rates[dependent], 0.0).amax().clamp_min(0.0)

    def get_config(self) -> dict:
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds,
                self._target_arg: getattr(self, self._target_arg)}


_AT_DOC = """The best {dependent} over the thresholds where {constrained} is at least `{arg}`.

    Args:
        {arg}: the target {constrained}, in [0, 1].
        num_thresholds: how many evenly spaced thresholds in [0, 1] to try.
        class_id: compute the metric for this class (last axis) only.
        name: the metric's name.
        dtype: the dtype of the state and result.
    """


@keras_class("keras.metrics")
class SensitivityAtSpecificity(_AtConstraint):
    __doc__ = _AT_DOC.format(dependent="sensitivity", constrained="specificity",
                             arg="specificity")
    _target_arg = "specificity"

    def __init__(self, specificity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        return self._best("specificity", "sensitivity")


@keras_class("keras.metrics")
class SpecificityAtSensitivity(_AtConstraint):
    __doc__ = _AT_DOC.format(dependent="specificity", constrained="sensitivity",
                             arg="sensitivity")
    _target_arg = "sensitivity"

    def __init__(self, sensitivity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        return self._best("sensitivity", "specificity")


@keras_class("keras.metrics")
class PrecisionAtRecall(_AtConstraint):
    __doc__ = _AT_DOC.format(dependent="precision", constrained="recall", arg="recall")
    _target_arg = "recall"

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        return self._best("recall", "precision")


@keras_class("keras.metrics")
class RecallAtPrecision(_AtConstraint):
    __doc__ = _AT_DOC.format(dependent="recall", constrained="precision", arg="precision")
    _target_arg = "precision"

    def __init__(self, precision: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        return self._best("precision", "recall")
