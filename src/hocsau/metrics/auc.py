"""`AUC`: the area under the ROC or precision-recall curve, from thresholded counts."""

from __future__ import annotations

import numpy as np
import torch

from hocsau import config
from hocsau.metrics import _confusion, _utils
from hocsau.metrics.metric import Metric
from hocsau.saving.serialization import keras_class

_CURVES = {"ROC": "ROC", "roc": "ROC", "PR": "PR", "pr": "PR", "PRGAIN": "PRGAIN",
           "prgain": "PRGAIN"}
_SUMMATIONS = {spelling: name for name in ("interpolation", "majoring", "minoring")
               for spelling in (name, name.capitalize())}


def _curve_name(curve) -> str:
    if curve not in _CURVES:
        raise ValueError(f'Invalid AUC curve value: "{curve}". '
                         'Expected values are ["PR", "ROC", "PRGAIN"]')
    return _CURVES[curve]


def _summation_name(method) -> str:
    if method not in _SUMMATIONS:
        raise ValueError(f'Invalid AUC summation method value: "{method}". '
                         'Expected values are ["interpolation", "majoring", "minoring"]')
    return _SUMMATIONS[method]


@keras_class("keras.metrics")
class AUC(Metric):
    """The area under the ROC (or PR) curve, approximated by a Riemann sum over thresholds.

    True/false positive/negative counts are kept at `num_thresholds` thresholds; the curve
    points come from them and the area from `summation_method`.

    Args:
        num_thresholds: how many evenly spaced thresholds to use (> 1).
        curve: "ROC", "PR" (precision-recall) or "PRGAIN" (precision-recall gain).
        summation_method: "interpolation" (trapezoids; for PR, the interpolation of Davis and
            Goadrich), "minoring" (lower sums) or "majoring" (upper sums).
        name: the metric's name.
        dtype: the dtype of the state and result.
        thresholds: explicit thresholds in [0, 1], replacing `num_thresholds`.
        multi_label: treat the last axis as separate labels: one curve per label, areas
            averaged (weighted by `label_weights` when given).
        num_labels: the number of labels, to create the state before the first batch.
        label_weights: per-label weights, for the average (multi-label) or the counts.
        from_logits: apply a sigmoid to the predictions first.
    """

    _direction = "up"

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None, dtype=None,
                 thresholds=None, multi_label: bool = False, num_labels: int | None = None,
                 label_weights=None, from_logits: bool = False):
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._evenly = _confusion.evenly_spaced(np.array([0.0, *thresholds, 1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        # End points just outside [0, 1] so that every prediction falls between two thresholds.
        self._thresholds = [0.0 - config.epsilon(), *thresholds, 1.0 + config.epsilon()]
        self.curve = _curve_name(curve)
        self.summation_method = _summation_name(summation_method)
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (None if label_weights is None
                              else self._tensor(label_weights, self.dtype))
        self._from_logits = from_logits
        self._built = False
        if multi_label and num_labels:
            self._build([None, num_labels])
        elif not multi_label:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        """The thresholds, including the two end points outside [0, 1]."""
        return list(self._thresholds)

    def _build(self, shape) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. "
                                 f"Found rank {len(shape)}. "
                                 f"Full shape received for `y_pred`: {tuple(shape)}")
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self.true_positives = self._add_zeros("true_positives", variable_shape)
        self.false_positives = self._add_zeros("false_positives", variable_shape)
        self.true_negatives = self._add_zeros("true_negatives", variable_shape)
        self.false_negatives = self._add_zeros("false_negatives", variable_shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = self._tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred)
        counts = {"tp": self.true_positives, "tn": self.true_negatives,
                  "fp": self.false_positives, "fn": self.false_negatives}
        _confusion.update(counts, y_true, y_pred, self._thresholds, sample_weight=sample_weight,
                          multi_label=self.multi_label,
                          label_weights=None if self.multi_label else self.label_weights,
                          evenly=self._evenly)

    def result(self) -> torch.Tensor:
        tp, fp = self.true_positives.detach(), self.false_positives.detach()
        tn, fn = self.true_negatives.detach(), self.false_negatives.detach()
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._average(_interpolated_pr_areas(tp, fp, fn))
        x, y = _curve_points(self.curve, tp, fp, tn, fn)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return self._average((x[:-1] - x[1:]) * heights)

    def _average(self, pieces: torch.Tensor) -> torch.Tensor:
        """Sum the area pieces; with several labels, average the per-label areas."""
        if not self.multi_label:
            return pieces.sum()
        by_label = pieces.sum(dim=0)
        if self.label_weights is None:
            return by_label.mean()
        return _utils.divide_no_nan((by_label * self.label_weights).sum(),
                                    self.label_weights.sum())

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        label_weights = self.label_weights
        if label_weights is not None:
            label_weights = label_weights.cpu().tolist()
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": label_weights, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


def _curve_points(curve: str, tp, fp, tn, fn) -> tuple[torch.Tensor, torch.Tensor]:
    """The (x, y) points of the curve at each threshold."""
    recall = _utils.divide_no_nan(tp, tp + fn)
    if curve == "ROC":
        return _utils.divide_no_nan(fp, fp + tn), recall
    if curve == "PR":
        return recall, _utils.divide_no_nan(tp, tp + fp)
    # Precision-recall gain: both rates rescaled by P/N; degenerate points are clamped.
    scale = _utils.divide_no_nan(tp + fn, tn + fp)
    recall_gain = 1.0 - scale * _utils.divide_no_nan(fn, tp)
    precision_gain = 1.0 - scale * _utils.divide_no_nan(fp, tp)
    no_tp = tp == 0
    recall_gain = torch.where(no_tp, 0.0, recall_gain).clamp_min(0.0)
    precision_gain = torch.where(no_tp, 1.0, precision_gain)
    return recall_gain, precision_gain


def _interpolated_pr_areas(tp, fp, fn) -> torch.Tensor:
    """PR-AUC pieces, interpolating counts rather than precision (Davis & Goadrich, 2006)."""
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    dp = p[:-1] - p[1:]
    slope = _utils.divide_no_nan(dtp, dp.clamp_min(0))
    intercept = tp[1:] - slope * p[1:]
    both_positive = (p[:-1] > 0) & (p[1:] > 0)
    ratio = torch.where(both_positive, _utils.divide_no_nan(p[:-1], p[1:].clamp_min(0)),
                        torch.ones_like(p[1:]))
    return _utils.divide_no_nan(slope * (dtp + intercept * torch.log(ratio)),
                                (tp[1:] + fn[1:]).clamp_min(0))
