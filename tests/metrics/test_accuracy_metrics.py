"""Accuracy-family metrics on bool and integer targets, against Keras 3 (which reads bool
one-hot labels as 0 / 1 where torch's argmax refuses them)."""

import keras
import numpy as np
import pytest
import torch

import hocsau

LABELS = np.eye(3)[[0, 1, 2, 1, 0, 2]]
SCORES = np.random.default_rng(0).random((6, 3)).astype("float32")
METRICS = [("CategoricalAccuracy", {}), ("TopKCategoricalAccuracy", {"k": 2}),
           ("OneHotIoU", {"num_classes": 3, "target_class_ids": [0, 2]}),
           ("OneHotMeanIoU", {"num_classes": 3})]


@pytest.mark.parametrize("dtype", ["bool", "int32", "uint8"])
@pytest.mark.parametrize("name, kwargs", METRICS, ids=[m[0] for m in METRICS])
def test_one_hot_metrics_read_bool_and_integer_labels(name, kwargs, dtype):
    ours = getattr(hocsau.metrics, name)(**kwargs)
    theirs = getattr(keras.metrics, name)(**kwargs)
    labels = LABELS.astype(dtype)
    ours.update_state(torch.from_numpy(labels), torch.from_numpy(SCORES))
    theirs.update_state(labels, SCORES)
    np.testing.assert_allclose(float(ours.result()), float(theirs.result()), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["bool", "int64"])
def test_compiled_accuracy_with_bool_one_hot_targets(dtype):
    x = np.random.default_rng(1).normal(size=(6, 4)).astype("float32")
    results = []
    for lib in (hocsau, keras):
        model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, activation="softmax")])
        model.set_weights([np.linspace(-1, 1, 12, dtype="float32").reshape(4, 3),
                           np.zeros(3, "float32")])
        model.compile(lib.optimizers.SGD(0.1), "categorical_crossentropy", metrics=["accuracy"])
        model.fit(x, LABELS.astype(dtype), batch_size=3, shuffle=False, verbose=0)
        results.append(model.evaluate(x, LABELS.astype(dtype), verbose=0, return_dict=True))
    assert list(results[0]) == list(results[1]) == ["accuracy", "loss"]
    np.testing.assert_allclose(list(results[0].values()), list(results[1].values()), rtol=1e-5)
