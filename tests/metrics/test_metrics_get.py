"""`metrics.get` / `deserialize`: names, aliases, classes, instances, callables, configs."""

import keras
import pytest
from keras.src.metrics import ALL_OBJECTS_DICT as KERAS_NAMES

from hocsau import metrics


def test_every_keras_export_exists():
    exported = [n for n in dir(keras.metrics) if not n.startswith("_")]
    missing = [n for n in exported if not hasattr(metrics, n)]
    assert missing == []
    assert len(exported) == 72


@pytest.mark.parametrize("identifier", sorted(set(KERAS_NAMES) - {"Metric", "metric"}))
def test_names_give_the_same_class_as_keras(identifier):
    try:
        theirs = keras.metrics.get(identifier)
    except TypeError:  # a class with required arguments, or the abstract base
        with pytest.raises(TypeError):
            metrics.get(identifier)
        return
    assert type(metrics.get(identifier)).__name__ == type(theirs).__name__


@pytest.mark.parametrize("identifier,cls,name", [
    ("accuracy", metrics.Accuracy, "accuracy"),
    ("acc", metrics.Accuracy, "accuracy"),
    ("mae", metrics.MeanAbsoluteError, "mean_absolute_error"),
    ("mse", metrics.MeanSquaredError, "mean_squared_error"),
    ("binary_accuracy", metrics.BinaryAccuracy, "binary_accuracy"),
    ("categorical_accuracy", metrics.CategoricalAccuracy, "categorical_accuracy"),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy,
     "sparse_categorical_accuracy"),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy,
     "top_k_categorical_accuracy"),
    ("auc", metrics.AUC, "auc"),
    ("precision", metrics.Precision, "precision"),
    ("Recall", metrics.Recall, "recall"),
])
def test_common_names(identifier, cls, name):
    metric = metrics.get(identifier)
    assert type(metric) is cls
    assert metric.name.startswith(name)


def test_the_abstract_base_is_not_instantiated():
    # Keras builds a Metric whose update_state raises; ours is abstract and refuses early.
    with pytest.raises(TypeError, match="abstract"):
        metrics.get("Metric")


def test_instances_classes_and_none():
    metric = metrics.Precision(name="p")
    assert metrics.get(metric) is metric
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    assert metrics.get(None) is None


def test_callables_are_wrapped_and_named_after_the_function():
    def double_error(y_true, y_pred):
        return 2 * abs(y_true - y_pred)

    metric = metrics.get(double_error)
    assert isinstance(metric, metrics.MeanMetricWrapper)
    assert metric.name == "double_error"
    assert float(metric([1.0, 2.0], [2.0, 2.0])) == 1.0
    assert metrics.get(metrics.binary_accuracy).name == "binary_accuracy"


def test_config_dicts():
    metric = metrics.get({"class_name": "AUC", "config": {"curve": "PR", "name": "pr"}})
    assert isinstance(metric, metrics.AUC)
    assert (metric.curve, metric.name) == ("PR", "pr")
    keras_config = keras.metrics.serialize(keras.metrics.TopKCategoricalAccuracy(k=3))
    assert metrics.get(keras_config).k == 3


def test_unknown_name_lists_the_nearest():
    with pytest.raises(ValueError, match=r"Could not interpret metric identifier: 'acuracy'\."
                                         r" Did you mean one of: accuracy"):
        metrics.get("acuracy")


def test_uninterpretable_identifier():
    with pytest.raises(ValueError, match="Could not interpret metric identifier: 3"):
        metrics.get(3)
