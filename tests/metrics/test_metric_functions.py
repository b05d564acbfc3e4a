"""Metric functions against Keras 3, value by value, and their serialized form."""

import json

import keras
import numpy as np
import pytest
import torch
from metric_cases import make_batch, to_numpy

from hocsau import metrics

FUNCTION_CASES = [
    ("binary_accuracy", {}, "binary"),
    ("binary_accuracy", {"threshold": 0.8}, "binary_column"),
    ("categorical_accuracy", {}, "categorical"),
    ("categorical_accuracy", {}, "one_hot_segmentation"),
    ("sparse_categorical_accuracy", {}, "sparse"),
    ("top_k_categorical_accuracy", {"k": 3}, "categorical"),
    ("top_k_categorical_accuracy", {"k": 2}, "one_hot_segmentation"),
    ("sparse_top_k_categorical_accuracy", {}, "sparse"),
    ("sparse_top_k_categorical_accuracy", {"k": 1, "from_sorted_ids": True}, "sorted_ids"),
    ("pearson_correlation", {}, "regression"),
    ("pearson_correlation", {"axis": 0}, "regression"),
    ("concordance_correlation", {}, "regression"),
    ("mean_squared_error", {}, "regression"),
    ("huber", {}, "regression"),
    ("binary_focal_crossentropy", {}, "binary"),
    ("categorical_focal_crossentropy", {}, "categorical"),
]


@pytest.mark.parametrize("name,kwargs,kind", FUNCTION_CASES,
                         ids=[f"{n}-{k}-{i}" for i, (n, _, k) in enumerate(FUNCTION_CASES)])
def test_function_matches_keras(name, kwargs, kind):
    y_true, y_pred, _ = make_batch(kind, np.random.default_rng(5))
    ours = getattr(metrics, name)(torch.from_numpy(np.asarray(y_true)),
                                  torch.from_numpy(np.asarray(y_pred)), **kwargs)
    theirs = getattr(keras.metrics, name)(y_true, y_pred, **kwargs)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(to_numpy(ours), to_numpy(theirs), rtol=1e-5, atol=1e-6)


def test_functions_take_lists_and_arrays():
    matches = metrics.sparse_categorical_accuracy([[2], [0]], np.array([[0.1, 0.2, 0.7],
                                                                         [0.3, 0.6, 0.1]]))
    assert matches.tolist() == [1.0, 0.0]
    assert matches.dtype == torch.float32


def test_functions_keep_gradients():
    y_pred = torch.tensor([[0.5, 1.0, 2.0]], requires_grad=True)
    metrics.pearson_correlation(torch.tensor([[1.0, 2.0, 2.5]]), y_pred).sum().backward()
    assert y_pred.grad.shape == (1, 3)


def test_keras_loss_functions_are_the_losses():
    from hocsau import losses

    assert metrics.mean_squared_error is losses.mean_squared_error
    assert metrics.kl_divergence is losses.kl_divergence


@pytest.mark.parametrize("fn", [metrics.binary_accuracy, metrics.pearson_correlation,
                                metrics.mean_absolute_error])
def test_functions_round_trip_through_serialization(fn):
    config = json.loads(json.dumps(metrics.serialize(fn)))
    assert metrics.deserialize(config) is fn


def test_keras_written_function_config_is_read():
    config = keras.metrics.serialize(keras.metrics.top_k_categorical_accuracy)
    assert config["module"] == "builtins"
    assert metrics.deserialize(config) is metrics.top_k_categorical_accuracy


def test_wrapper_of_a_metric_function_round_trips():
    metric = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="acc7", threshold=0.7)
    restored = metrics.MeanMetricWrapper.from_config(json.loads(json.dumps(metric.get_config())))
    assert restored._fn is metrics.binary_accuracy
    assert restored.name == "acc7"
    assert float(restored([[1.0], [1.0]], [[0.8], [0.6]])) == 0.5
    keras_copy = keras.metrics.MeanMetricWrapper.from_config(metric.get_config())
    assert keras_copy.get_config()["threshold"] == 0.7
