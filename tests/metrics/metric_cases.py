"""Shared cases for the metric tests: which metric, with which arguments, on which data."""

import keras
import numpy as np
import torch

BATCH = 8


def to_numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(keras.ops.convert_to_numpy(x))


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def make_batch(kind, rng):
    """(y_true, y_pred, sample_weight) of one batch of `kind`, as numpy arrays."""
    weight = rng.uniform(0.0, 2.0, (BATCH,)).astype("float32")
    weight[0] = 0.0
    if kind == "binary":
        y_true = (rng.uniform(size=(BATCH, 3)) > 0.5).astype("float32")
        y_pred = rng.uniform(size=(BATCH, 3)).astype("float32")
        y_pred[0, 0], y_pred[1, 1], y_pred[2, 2] = 0.0, 0.5, 1.0  # values on thresholds
    elif kind == "binary_column":
        y_true = (rng.uniform(size=(BATCH, 1)) > 0.5).astype("float32")
        y_pred = rng.uniform(size=(BATCH, 1)).astype("float32")
    elif kind == "logits":
        y_true = (rng.uniform(size=(BATCH, 3)) > 0.5).astype("float32")
        y_pred = rng.normal(size=(BATCH, 3)).astype("float32") * 3
    elif kind == "categorical":
        y_true = np.eye(5, dtype="float32")[rng.integers(0, 5, BATCH)]
        y_pred = _softmax(rng.normal(size=(BATCH, 5))).astype("float32")
    elif kind == "sparse":
        y_true = rng.integers(0, 5, (BATCH, 1))
        y_pred = _softmax(rng.normal(size=(BATCH, 5))).astype("float32")
    elif kind == "sorted_ids":
        y_true = rng.integers(0, 5, (BATCH,))
        y_pred = np.argsort(-rng.uniform(size=(BATCH, 5)), axis=-1)
    elif kind == "regression":
        y_true = rng.normal(size=(BATCH, 3)).astype("float32")
        y_pred = (y_true + rng.normal(size=(BATCH, 3)) * 0.7).astype("float32")
    elif kind == "positive":
        y_true = rng.uniform(0.1, 2.0, (BATCH, 3)).astype("float32")
        y_pred = rng.uniform(0.1, 2.0, (BATCH, 3)).astype("float32")
    elif kind == "hinge":
        y_true = rng.choice([-1.0, 1.0], (BATCH, 3)).astype("float32")
        y_pred = rng.normal(size=(BATCH, 3)).astype("float32")
    elif kind == "segmentation":
        y_true = rng.integers(0, 3, (BATCH, 4))
        y_pred = rng.integers(0, 3, (BATCH, 4))
        y_true[0, 0] = 4  # out of range: left out
        weight = rng.integers(0, 3, (BATCH, 4)).astype("int32")
    elif kind == "one_hot_segmentation":
        y_true = np.eye(3, dtype="float32")[rng.integers(0, 3, (BATCH, 4))]
        y_pred = _softmax(rng.normal(size=(BATCH, 4, 3))).astype("float32")
        weight = rng.integers(0, 3, (BATCH, 4)).astype("int32")
    elif kind == "binary_segmentation":
        y_true = rng.integers(0, 2, (BATCH, 3))
        y_pred = rng.uniform(size=(BATCH, 3)).astype("float32")
        y_pred[1, 1] = 0.5
        weight = rng.integers(0, 3, (BATCH, 3)).astype("int32")
    else:
        raise ValueError(kind)
    return y_true, y_pred, weight


# (class name, constructor arguments, data kind)
CASES = [
    ("Accuracy", {}, "segmentation"),
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {"threshold": 0.3}, "binary_column"),
    ("CategoricalAccuracy", {}, "categorical"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("TopKCategoricalAccuracy", {"k": 2}, "categorical"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("SparseTopKCategoricalAccuracy", {"k": 2, "from_sorted_ids": True}, "sorted_ids"),
    ("TruePositives", {}, "binary"),
    ("FalsePositives", {"thresholds": [0.2, 0.5, 0.8]}, "binary"),
    ("TrueNegatives", {"thresholds": [0.0, 0.5, 1.0]}, "binary"),
    ("FalseNegatives", {"thresholds": 0.3}, "binary"),
    ("Precision", {}, "binary"),
    ("Precision", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "binary"),
    ("Precision", {"top_k": 2}, "categorical"),
    ("Precision", {"class_id": 1, "thresholds": [0.3, 0.6]}, "binary"),
    ("Recall", {}, "binary_column"),
    ("Recall", {"top_k": 2, "class_id": 3}, "categorical"),
    ("PrecisionAtRecall", {"recall": 0.5}, "binary"),
    ("RecallAtPrecision", {"precision": 0.6, "num_thresholds": 7}, "binary"),
    ("SensitivityAtSpecificity", {"specificity": 0.4, "class_id": 2}, "binary"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "num_thresholds": 1}, "binary"),
    ("AUC", {}, "binary"),
    ("AUC", {"curve": "PR"}, "binary"),
    ("AUC", {"curve": "PR", "summation_method": "minoring"}, "binary"),
    ("AUC", {"curve": "PRGAIN", "summation_method": "majoring"}, "binary"),
    ("AUC", {"num_thresholds": 7, "from_logits": True}, "logits"),
    ("AUC", {"thresholds": [0.1, 0.4, 0.9]}, "binary"),
    ("AUC", {"label_weights": [1.0, 2.0, 0.5]}, "binary"),
    ("AUC", {"multi_label": True}, "binary"),
    ("AUC", {"multi_label": True, "num_labels": 3, "label_weights": [1.0, 2.0, 0.5],
             "curve": "PR"}, "binary"),
    ("F1Score", {}, "categorical"),
    ("F1Score", {"average": "micro", "threshold": 0.3}, "binary"),
    ("FBetaScore", {"average": "macro", "beta": 2.0}, "binary"),
    ("FBetaScore", {"average": "weighted", "beta": 0.5, "threshold": 0.4}, "binary"),
    ("MeanSquaredError", {}, "regression"),
    ("RootMeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("CosineSimilarity", {}, "regression"),
    ("CosineSimilarity", {"axis": 1}, "regression"),
    ("LogCoshError", {}, "regression"),
    ("R2Score", {}, "regression"),
    ("R2Score", {"class_aggregation": None}, "regression"),
    ("R2Score", {"class_aggregation": "variance_weighted_average", "num_regressors": 2},
     "regression"),
    ("PearsonCorrelation", {}, "regression"),
    ("ConcordanceCorrelation", {"axis": -1}, "regression"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "logits"),
    ("CategoricalCrossentropy", {}, "categorical"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, "categorical"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 2}, "sparse"),
    ("KLDivergence", {}, "categorical"),
    ("Poisson", {}, "positive"),
    ("Hinge", {}, "hinge"),
    ("SquaredHinge", {}, "hinge"),
    ("CategoricalHinge", {}, "categorical"),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, "segmentation"),
    ("IoU", {"num_classes": 3, "target_class_ids": [1], "ignore_class": 0}, "segmentation"),
    ("MeanIoU", {"num_classes": 3}, "segmentation"),
    ("MeanIoU", {"num_classes": 3, "dtype": "float32"}, "segmentation"),
    ("BinaryIoU", {}, "binary_segmentation"),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, "binary_segmentation"),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [0, 1]}, "one_hot_segmentation"),
    ("OneHotMeanIoU", {"num_classes": 3}, "one_hot_segmentation"),
]


def case_id(case):
    name, kwargs, _ = case
    args = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return f"{name}({args})"
