"""Inputs shared by the loss tests: one random batch per kind of loss, as float32 numpy."""

import numpy as np

BATCH = 6


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def make_batch(kind: str, rng: np.random.Generator):
    """(y_true, y_pred) for a kind of loss; see the branches for the shapes."""
    normal = lambda *shape: rng.standard_normal(shape).astype("float32")  # noqa: E731
    uniform = lambda *shape: rng.uniform(0.01, 0.99, shape).astype("float32")  # noqa: E731
    if kind == "regression":
        return normal(BATCH, 5), normal(BATCH, 5)
    if kind == "regression3d":
        return normal(BATCH, 4, 3), normal(BATCH, 4, 3)
    if kind == "positive":
        return uniform(BATCH, 5) * 3, uniform(BATCH, 5) * 3
    if kind == "prob":
        return _softmax(normal(BATCH, 5)), _softmax(normal(BATCH, 5))
    if kind == "binary":
        return rng.integers(0, 2, (BATCH, 5)).astype("float32"), uniform(BATCH, 5)
    if kind == "logits":
        return rng.integers(0, 2, (BATCH, 5)).astype("float32"), 3 * normal(BATCH, 5)
    if kind == "categorical":
        labels = np.eye(4, dtype="float32")[rng.integers(0, 4, BATCH)]
        return labels, _softmax(normal(BATCH, 4))
    if kind == "categorical_logits":
        return np.eye(4, dtype="float32")[rng.integers(0, 4, BATCH)], 3 * normal(BATCH, 4)
    if kind == "sparse":
        return rng.integers(0, 4, BATCH), _softmax(normal(BATCH, 4))
    if kind == "sparse_logits":
        return rng.integers(0, 4, BATCH), 3 * normal(BATCH, 4)
    if kind == "hinge_pm":
        return rng.choice([-1.0, 1.0], (BATCH, 5)).astype("float32"), normal(BATCH, 5)
    if kind == "segmentation":
        return rng.integers(0, 2, (BATCH, 3, 3, 1)).astype("float32"), uniform(BATCH, 3, 3, 1)
    if kind == "embeddings":
        emb = normal(BATCH * 2, 8)
        return rng.integers(0, 3, BATCH * 2), emb / np.linalg.norm(emb, axis=-1, keepdims=True)
    if kind == "ctc":
        labels = rng.integers(1, 5, (BATCH, 3))
        labels[::2, 2] = 0  # some sequences are shorter, padded with the blank
        return labels, normal(BATCH, 7, 5)
    raise ValueError(kind)


def to_numpy(x):
    """A Keras or hocsau result as a numpy array."""
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


# (function name, class name, input kind, keyword arguments) for the Keras parity tests.
CASES = [
    ("mean_squared_error", "MeanSquaredError", "regression", {}),
    ("mean_squared_error", "MeanSquaredError", "regression3d", {}),
    ("mean_absolute_error", "MeanAbsoluteError", "regression", {}),
    ("mean_absolute_percentage_error", "MeanAbsolutePercentageError", "regression", {}),
    ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", "positive", {}),
    ("cosine_similarity", "CosineSimilarity", "regression", {"axis": -1}),
    ("cosine_similarity", "CosineSimilarity", "regression3d", {"axis": 1}),
    ("huber", "Huber", "regression", {"delta": 0.7}),
    ("log_cosh", "LogCosh", "regression", {}),
    ("kl_divergence", "KLDivergence", "prob", {}),
    ("poisson", "Poisson", "positive", {}),
    ("binary_crossentropy", "BinaryCrossentropy", "binary", {}),
    ("binary_crossentropy", "BinaryCrossentropy", "binary", {"label_smoothing": 0.2}),
    ("binary_crossentropy", "BinaryCrossentropy", "logits", {"from_logits": True}),
    ("binary_crossentropy", "BinaryCrossentropy", "binary", {"axis": 0}),
    ("binary_focal_crossentropy", "BinaryFocalCrossentropy", "binary", {}),
    ("binary_focal_crossentropy", "BinaryFocalCrossentropy", "logits",
     {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5, "from_logits": True,
      "label_smoothing": 0.1}),
    ("categorical_crossentropy", "CategoricalCrossentropy", "categorical", {}),
    ("categorical_crossentropy", "CategoricalCrossentropy", "categorical",
     {"label_smoothing": 0.3}),
    ("categorical_crossentropy", "CategoricalCrossentropy", "categorical_logits",
     {"from_logits": True, "label_smoothing": 0.1}),
    ("categorical_crossentropy", "CategoricalCrossentropy", "regression3d",
     {"from_logits": True, "axis": 1}),
    ("categorical_focal_crossentropy", "CategoricalFocalCrossentropy", "categorical", {}),
    ("categorical_focal_crossentropy", "CategoricalFocalCrossentropy", "categorical_logits",
     {"alpha": 0.5, "gamma": 3.0, "from_logits": True, "label_smoothing": 0.2}),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", "sparse", {}),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", "sparse_logits",
     {"from_logits": True}),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", "sparse_logits",
     {"from_logits": True, "ignore_class": 2}),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", "sparse",
     {"ignore_class": 0}),
    ("categorical_generalized_cross_entropy", "CategoricalGeneralizedCrossEntropy", "sparse",
     {"q": 0.3}),
    ("hinge", "Hinge", "binary", {}),
    ("hinge", "Hinge", "hinge_pm", {}),
    ("squared_hinge", "SquaredHinge", "binary", {}),
    ("squared_hinge", "SquaredHinge", "hinge_pm", {}),
    ("categorical_hinge", "CategoricalHinge", "categorical", {}),
    ("dice", "Dice", "segmentation", {}),
    ("dice", "Dice", "segmentation", {"axis": (1, 2, 3)}),
    ("tversky", "Tversky", "segmentation", {"alpha": 0.3, "beta": 0.7}),
    ("tversky", "Tversky", "segmentation", {"axis": (1, 2)}),
    ("circle", "Circle", "embeddings", {}),
    ("circle", "Circle", "embeddings", {"gamma": 20.0, "margin": 0.25, "remove_diagonal": False}),
    ("ctc", "CTC", "ctc", {}),
]


def case_id(case) -> str:
    name, _, kind, kwargs = case
    return "-".join([name, kind] + [f"{k}={v}" for k, v in kwargs.items()])
