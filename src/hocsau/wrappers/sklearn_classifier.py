"""`SKLearnClassifier`: a hocsau classifier as a scikit-learn estimator."""

from __future__ import annotations

import numpy as np

from hocsau.wrappers._sklearn_base import SKLBase, type_of_target

try:
    from sklearn.base import ClassifierMixin
except ImportError:
    ClassifierMixin = object


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """scikit-learn classifier over a hocsau model.

    Targets (binary or multiclass labels of any type) are one-hot encoded for the model, so
    it should end in one unit per class (softmax, with categorical crossentropy); `predict`
    maps the outputs' argmax back to the labels. Arguments as in `SKLBase`.

    Attributes:
        classes_: the sorted class labels seen by `fit`.

    Example:
    ```python
    def make_model(X, y, hidden=16):
        inputs = keras.Input((X.shape[1],))
        x = keras.layers.Dense(hidden, activation="relu")(inputs)
        outputs = keras.layers.Dense(y.shape[1], activation="softmax")(x)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        return model

    clf = SKLearnClassifier(make_model, model_kwargs={"hidden": 32},
                            fit_kwargs={"epochs": 20, "verbose": 0})
    clf.fit(X, y).score(X, y)
    ```
    """

    def decision_function(self, X):
        """The model's raw outputs (one column per class)."""
        return self._raw_predict(X)

    def _process_target(self, y, reset=False):
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError("Only binary and multiclass target types are supported. "
                             f"Target type: {kind}")
        if reset:
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        return (np.reshape(y, (-1, 1)) == self.classes_).astype("float32")

    def _reverse_process_target(self, y):
        return self.classes_[np.argmax(y, axis=1)]

    def _more_tags(self):  # scikit-learn < 1.6
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags
