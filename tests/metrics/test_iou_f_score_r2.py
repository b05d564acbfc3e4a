"""IoU, F-score and R2: hand-computed values and argument errors."""

import warnings

import numpy as np
import pytest

from hocsau import metrics


def test_mean_iou_by_hand():
    # confusion matrix [[1, 1], [1, 1]]: IoU 1/3 for both classes
    value = metrics.MeanIoU(num_classes=2)([0, 0, 1, 1], [0, 1, 0, 1])
    assert float(value) == pytest.approx(1 / 3, rel=1e-6)


def test_iou_weighted_and_ignored():
    metric = metrics.IoU(num_classes=3, target_class_ids=[0], ignore_class=2)
    metric.update_state([0, 0, 1, 2], [0, 1, 1, 0], sample_weight=[3, 1, 1, 5])
    # class 0: tp 3, fn 1 (label 0 predicted 1); the ignored label-2 sample adds no fp
    assert float(metric.result()) == pytest.approx(0.75, rel=1e-6)
    assert metric.total_cm.tolist() == [[3, 1, 0], [0, 1, 0], [0, 0, 0]]


def test_absent_classes_are_left_out_of_the_mean():
    value = metrics.MeanIoU(num_classes=4)([0, 0, 1], [0, 0, 1])
    assert float(value) == pytest.approx(1.0, rel=1e-6)


def test_binary_iou_thresholds_at_or_above():
    metric = metrics.BinaryIoU(target_class_ids=[1], threshold=0.5)
    assert float(metric([1, 1, 0], [0.5, 0.2, 0.7])) == pytest.approx(1 / 3, rel=1e-6)


def test_float_weights_with_integer_state_warn():
    metric = metrics.MeanIoU(num_classes=2)
    with pytest.warns(UserWarning, match="You are passing weight as `float`"):
        metric.update_state([0, 1], [0, 1], sample_weight=np.array([0.5, 1.5]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics.MeanIoU(num_classes=2, dtype="float32").update_state(
            [0, 1], [0, 1], sample_weight=np.array([0.5, 1.5]))


def test_iou_target_out_of_range():
    with pytest.raises(ValueError, match=r"Target class id 3 is out of range, which is \[0, 3\)"):
        metrics.IoU(num_classes=3, target_class_ids=[0, 3])


def test_f1_by_hand():
    y_true = [[1, 0], [0, 1], [1, 0]]
    y_pred = [[0.9, 0.1], [0.6, 0.4], [0.8, 0.2]]
    # row maxima: class 0 three times; class 0 precision 2/3 recall 1, class 1 zero
    per_class = metrics.F1Score()(y_true, y_pred)
    np.testing.assert_allclose(per_class.numpy(), [0.8, 0.0], atol=1e-6)
    assert float(metrics.F1Score(average="macro")(y_true, y_pred)) == pytest.approx(0.4, abs=1e-6)


@pytest.mark.parametrize("kwargs,message", [
    ({"average": "mean"}, "Invalid `average` argument value"),
    ({"beta": 1}, "It should be a Python float"),
    ({"beta": -1.0}, "It should be > 0"),
    ({"threshold": 1.5}, "It should verify 0 < threshold <= 1"),
])
def test_f_beta_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        metrics.FBetaScore(**kwargs)


def test_f_score_needs_2d_inputs():
    with pytest.raises(ValueError, match="FBetaScore expects 2D inputs"):
        metrics.F1Score().update_state([1, 0], [0.3, 0.6])


def test_r2_by_hand():
    y_true = [[1.0], [2.0], [3.0]]
    y_pred = [[1.0], [2.0], [4.0]]
    # residual 1, total variance 2
    assert float(metrics.R2Score()(y_true, y_pred)) == pytest.approx(0.5)


def test_r2_adjusted_for_regressors():
    y_true = [[1.0], [2.0], [3.0], [4.0], [5.0]]
    y_pred = [[1.5], [2.0], [3.0], [4.0], [4.5]]
    plain = float(metrics.R2Score()(y_true, y_pred))
    adjusted = float(metrics.R2Score(num_regressors=2)(y_true, y_pred))
    assert adjusted == pytest.approx(1 - (1 - plain) * 4 / 2)
    # no degrees of freedom left: the plain score
    assert float(metrics.R2Score(num_regressors=4)(y_true, y_pred)) == pytest.approx(plain)


@pytest.mark.parametrize("kwargs,message", [
    ({"class_aggregation": "sum"}, "Invalid value for argument `class_aggregation`"),
    ({"num_regressors": -1}, "Expected a value >= 0"),
])
def test_r2_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        metrics.R2Score(**kwargs)


def test_rmse_by_hand():
    metric = metrics.RootMeanSquaredError()
    metric.update_state([[0.0], [0.0]], [[3.0], [4.0]], sample_weight=[1.0, 1.0])
    assert float(metric.result()) == pytest.approx(np.sqrt(12.5))
