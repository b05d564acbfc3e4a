"""`SKLearnRegressor`: a hocsau regression model as a scikit-learn estimator."""

from __future__ import annotations

from hocsau.wrappers._sklearn_base import SKLBase

try:
    from sklearn.base import RegressorMixin
except ImportError:
    RegressorMixin = object


class SKLearnRegressor(RegressorMixin, SKLBase):
    """scikit-learn regressor over a hocsau model: 1-D targets are given to the model as one
    column and predictions come back 1-D. Arguments as in `SKLBase`.

    Example:
    ```python
    def make_model(X, y):
        model = keras.Sequential([keras.Input((X.shape[1],)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        return model

    SKLearnRegressor(make_model, fit_kwargs={"epochs": 50, "verbose": 0}).fit(X, y)
    ```
    """

    def _more_tags(self):  # scikit-learn < 1.6
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags
