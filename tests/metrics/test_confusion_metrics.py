"""Confusion-matrix metrics and AUC: hand-computed values, multi-threshold shapes, lazy state
and argument errors."""

import numpy as np
import pytest
import torch

from hocsau import metrics

Y_TRUE = [0, 1, 1, 0, 1]
Y_PRED = [0.1, 0.9, 0.4, 0.6, 0.7]


@pytest.mark.parametrize("cls,expected", [
    (metrics.TruePositives, 2.0), (metrics.FalsePositives, 1.0),
    (metrics.TrueNegatives, 1.0), (metrics.FalseNegatives, 1.0),
])
def test_counts_by_hand(cls, expected):
    assert float(cls()(Y_TRUE, Y_PRED)) == expected


def test_counts_at_several_thresholds():
    metric = metrics.TruePositives(thresholds=[0.0, 0.5, 0.8])
    value = metric(Y_TRUE, Y_PRED, sample_weight=[1.0, 2.0, 1.0, 1.0, 0.5])
    assert value.tolist() == [3.5, 2.5, 2.0]


def test_precision_and_recall_by_hand():
    assert float(metrics.Precision()(Y_TRUE, Y_PRED)) == pytest.approx(2 / 3)
    assert float(metrics.Recall()(Y_TRUE, Y_PRED)) == pytest.approx(2 / 3)
    recall = metrics.Recall(thresholds=[0.3, 0.75])(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(recall.numpy(), [1.0, 1 / 3], rtol=1e-6)


def test_precision_top_k_and_class_id():
    y_true = [[0, 0, 1, 1], [1, 0, 0, 0]]
    y_pred = [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.05, 0.0]]
    # top two per row: {2, 3} (both right) and {0, 1} (one right)
    assert float(metrics.Precision(top_k=2)(y_true, y_pred)) == pytest.approx(0.75)
    assert float(metrics.Precision(class_id=1)(y_true, y_pred)) == 0.0


def test_empty_precision_is_zero():
    assert float(metrics.Precision().result()) == 0.0


def test_at_constraint_metrics_by_hand():
    y_true, y_pred = [0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9]
    # thresholds 0, 0.5, 1: at 0.5 recall is 1/2 and precision 1/2; at 0 recall 1, precision 1/2
    assert float(metrics.PrecisionAtRecall(0.9, num_thresholds=3)(y_true, y_pred)) == 0.5
    assert float(metrics.RecallAtPrecision(0.5, num_thresholds=3)(y_true, y_pred)) == 1.0
    assert float(metrics.SensitivityAtSpecificity(0.5, num_thresholds=3)(y_true, y_pred)) == 0.5
    assert float(metrics.SpecificityAtSensitivity(1.0, num_thresholds=3)(y_true, y_pred)) == 0.0


def test_auc_of_perfect_and_reversed_rankings():
    y_true = [0, 0, 1, 1]
    assert float(metrics.AUC()(y_true, [0.1, 0.2, 0.8, 0.9])) == pytest.approx(1.0, abs=1e-6)
    assert float(metrics.AUC()(y_true, [0.9, 0.8, 0.2, 0.1])) == pytest.approx(0.0, abs=1e-6)


def test_auc_by_hand_with_three_thresholds():
    # thresholds -eps, 0.5, 1+eps: ROC points (1, 1), (0.5, 0.5), (0, 0) -> area 0.5
    value = metrics.AUC(num_thresholds=3)([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    assert float(value) == pytest.approx(0.5)


def test_auc_multi_label_builds_its_state_on_the_first_batch():
    metric = metrics.AUC(multi_label=True)
    assert metric.variables == []
    metric.update_state(np.eye(3)[[0, 1, 2, 0]], np.random.default_rng(0).uniform(size=(4, 3)))
    assert [tuple(v.shape) for v in metric.variables] == [(200, 3)] * 4
    metric.reset_state()
    assert float(metric.true_positives.sum()) == 0.0


def test_auc_thresholds_property_includes_the_end_points():
    thresholds = metrics.AUC(thresholds=[0.7, 0.2]).thresholds
    assert thresholds[1:-1] == [0.2, 0.7]
    assert thresholds[0] < 0.0 and thresholds[-1] > 1.0


@pytest.mark.parametrize("build,message", [
    (lambda: metrics.Precision(thresholds=[0.5, 1.5]), r"Threshold values must be in \[0, 1\]"),
    (lambda: metrics.AUC(num_thresholds=1), "`num_thresholds` must be an integer > 1"),
    (lambda: metrics.AUC(curve="XY"), 'Invalid AUC curve value: "XY"'),
    (lambda: metrics.AUC(summation_method="mid"), 'Invalid AUC summation method value: "mid"'),
    (lambda: metrics.AUC(num_labels=3), "`num_labels` is needed only when `multi_label`"),
    (lambda: metrics.PrecisionAtRecall(1.5), r"`recall` must be in the range \[0, 1\]"),
    (lambda: metrics.RecallAtPrecision(0.5, num_thresholds=0), "`num_thresholds` must be"),
])
def test_argument_errors(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_class_id_needs_a_class_axis():
    with pytest.raises(ValueError, match="When class_id is provided, y_pred must be a 2D"):
        metrics.Recall(class_id=0).update_state([1, 0], [0.3, 0.6])


def test_counts_stay_on_the_state_device_without_reading_back(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("update_state read a value back to the host")

    metric = metrics.AUC(curve="PR")
    y_true, y_pred = torch.tensor([0.0, 1.0, 1.0]), torch.tensor([0.2, 0.7, 0.4])
    monkeypatch.setattr(torch.Tensor, "item", forbidden)
    monkeypatch.setattr(torch.Tensor, "tolist", forbidden)
    metric.update_state(y_true, y_pred)
    value = metric.result()
    monkeypatch.undo()
    assert value.device == metric.true_positives.device
    assert 0.0 <= float(value) <= 1.0
