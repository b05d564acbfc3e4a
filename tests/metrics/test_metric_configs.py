"""Configs: the same keys and values as Keras 3, round trips through both libraries, and the
serialized form."""

import json

import keras
import numpy as np
import pytest
from metric_cases import CASES, case_id, make_batch, to_numpy

from hocsau import metrics


def _plain(config):
    # Keras keeps AUC's label weights as a tensor in its config; compare values.
    return {k: (to_numpy(v).tolist() if hasattr(v, "shape") else v) for k, v in config.items()}


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_config_matches_keras(case):
    name, kwargs, _ = case
    ours = getattr(metrics, name)(name="m", **kwargs)
    theirs = getattr(keras.metrics, name)(name="m", **kwargs)
    assert _plain(ours.get_config()) == _plain(theirs.get_config())


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_config_round_trips_through_both_libraries(case):
    name, kwargs, kind = case
    original = getattr(metrics, name)(**kwargs)
    config = json.loads(json.dumps(original.get_config()))
    ours = type(original).from_config(config)
    theirs = getattr(keras.metrics, name).from_config(config)
    assert ours.get_config() == original.get_config()
    y_true, y_pred, _ = make_batch(kind, np.random.default_rng(3))
    ours.update_state(y_true, y_pred)
    theirs.update_state(y_true, y_pred)
    np.testing.assert_allclose(to_numpy(ours.result()), to_numpy(theirs.result()), rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("name,kwargs", [
    ("AUC", {"num_thresholds": 50, "curve": "PR", "multi_label": True, "num_labels": 3}),
    ("Precision", {"thresholds": [0.3, 0.7], "class_id": 1}),
    ("F1Score", {"average": "macro", "threshold": 0.4}),
    ("IoU", {"num_classes": 4, "target_class_ids": [1, 3], "ignore_class": 0}),
    ("SparseTopKCategoricalAccuracy", {"k": 3, "from_sorted_ids": True}),
])
def test_keras_config_builds_our_metric(name, kwargs):
    config = getattr(keras.metrics, name)(name="from_keras", **kwargs).get_config()
    ours = getattr(metrics, name).from_config(config)
    assert ours.name == "from_keras"
    assert ours.get_config() == _plain(config)


def test_serialize_matches_keras_format():
    ours = metrics.serialize(metrics.Precision(thresholds=[0.5, 0.9], name="p"))
    theirs = keras.metrics.serialize(keras.metrics.Precision(thresholds=[0.5, 0.9], name="p"))
    assert ours == theirs
    assert ours["module"] == "keras.metrics"
    restored = metrics.deserialize(json.loads(json.dumps(ours)))
    assert isinstance(restored, metrics.Precision)
    assert restored.thresholds == [0.5, 0.9]


def test_metric_functions_serialize_under_their_family():
    assert metrics.serialize(metrics.binary_accuracy) == keras.metrics.serialize(
        keras.metrics.binary_accuracy)
    assert keras.saving.deserialize_keras_object(
        metrics.serialize(metrics.binary_accuracy)) is keras.metrics.binary_accuracy
    assert metrics.deserialize(metrics.serialize(metrics.binary_accuracy)) is \
        metrics.binary_accuracy
    assert metrics.serialize(metrics.mean_squared_error)["module"] == "builtins"
