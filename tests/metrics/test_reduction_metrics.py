"""Mean, Sum and MeanMetricWrapper: hand-computed values, weight shapes against Keras, masks."""

import keras
import numpy as np
import pytest
import torch
from metric_cases import to_numpy

from hocsau import metrics


def test_mean_and_sum_by_hand():
    mean, total = metrics.Mean(), metrics.Sum()
    mean.update_state([1, 3, 5, 7])
    total.update_state([1, 3, 5, 7])
    assert float(mean.result()) == 4.0
    assert float(total.result()) == 16.0
    mean.reset_state()
    total.reset_state()
    mean.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    total.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(mean.result()) == 2.0
    assert float(total.result()) == 4.0


def test_empty_mean_is_zero():
    assert float(metrics.Mean().result()) == 0.0


@pytest.mark.parametrize("values_shape,weight_shape", [
    ((), None), ((), ()), ((6,), None), ((6,), ()), ((6,), (6,)), ((6,), (6, 1)),
    ((6, 1), (6,)), ((6, 4), None), ((6, 4), (6,)), ((6, 4), (6, 4)), ((6, 4, 3), (6, 4)),
    ((6, 4, 3), (6, 4, 1)), ((6, 4, 3), (6, 1, 3)),
])
@pytest.mark.parametrize("name", ["Mean", "Sum"])
def test_weight_shapes_match_keras(name, values_shape, weight_shape):
    rng = np.random.default_rng(1)
    ours, theirs = getattr(metrics, name)(), getattr(keras.metrics, name)()
    for _ in range(2):
        values = rng.normal(size=values_shape).astype("float32")
        weight = (None if weight_shape is None
                  else rng.uniform(0, 2, weight_shape).astype("float32"))
        ours.update_state(values, sample_weight=weight)
        theirs.update_state(values, sample_weight=weight)
    np.testing.assert_allclose(to_numpy(ours.result()), to_numpy(theirs.result()), rtol=1e-5)


def test_wrapper_averages_a_function_per_sample():
    metric = metrics.MeanMetricWrapper(lambda t, p: torch.abs(t - p), name="abs_error")
    metric.update_state([[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [3.0, 8.0]],
                        sample_weight=[1.0, 3.0])
    # per-sample means 1 and 2, weighted 1 and 3: (1 + 6) / 4
    assert float(metric.result()) == pytest.approx(1.75)
    assert metric.name == "abs_error"


def test_wrapper_passes_options_and_serializes_them():
    metric = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="acc7", threshold=0.7)
    metric.update_state([[1.0], [1.0]], [[0.8], [0.6]])
    assert float(metric.result()) == 0.5
    config = metric.get_config()
    assert config["threshold"] == 0.7
    assert config["fn"]["config"] == "binary_accuracy"


def test_wrapper_config_round_trip_with_a_loss_function():
    metric = metrics.MeanMetricWrapper(metrics.mean_squared_error, name="mse_wrap")
    restored = metrics.MeanMetricWrapper.from_config(metric.get_config())
    assert restored._fn is metrics.mean_squared_error
    assert float(restored([[1.0, 3.0]], [[0.0, 0.0]])) == 5.0


def test_wrapper_uses_the_prediction_mask():
    y_pred = torch.tensor([[0.9], [0.2], [0.8]])
    y_pred._keras_mask = torch.tensor([True, True, False])
    metric = metrics.BinaryAccuracy()
    metric.update_state(torch.tensor([[1.0], [1.0], [0.0]]), y_pred)
    # the third sample (wrong) is masked out: one right of two
    assert float(metric.result()) == 0.5


def test_masked_values_match_keras_with_weights():
    values = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    mask = torch.tensor([[True, False, True], [True, True, False]])
    weight = np.array([[1.0, 2.0, 1.0], [0.5, 1.0, 1.0]], dtype="float32")
    ours, theirs = metrics.Mean(), keras.metrics.Mean()
    values._keras_mask = mask
    ours.update_state(values, sample_weight=weight)
    keras_values = values.clone()
    keras_values._keras_mask = mask
    theirs.update_state(keras_values, sample_weight=weight)
    # weights become [[1, 0, 1], [0.5, 1, 0]]: (4/3 + 7/3) / (2/3 + 1/2)
    assert float(ours.result()) == pytest.approx(22 / 7)
    np.testing.assert_allclose(to_numpy(ours.result()), to_numpy(theirs.result()), rtol=1e-6)


def test_python_number_weights_are_filled_on_the_device(monkeypatch):
    calls = []
    metric = metrics.Mean(name="loss")
    monkeypatch.setattr(torch, "as_tensor", lambda *a, **k: calls.append(a) or None)
    metric.update_state(torch.tensor(0.5), sample_weight=32)
    metric.update_state(torch.tensor(1.5), sample_weight=16)
    monkeypatch.undo()
    assert calls == []  # no host array was turned into a tensor
    assert float(metric.result()) == pytest.approx((16 + 24) / 48)


def test_direction_of_wrapped_losses():
    from hocsau import losses

    assert not hasattr(metrics.Mean(), "_direction")
    assert metrics.MeanMetricWrapper(losses.mean_squared_error)._direction == "down"
    assert metrics.MeanMetricWrapper(losses.Huber())._direction == "down"
    assert not hasattr(metrics.MeanMetricWrapper(lambda t, p: t - p), "_direction")
