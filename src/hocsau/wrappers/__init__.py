"""scikit-learn estimators over hocsau models (Keras 3's `keras.wrappers`)."""

from hocsau.wrappers.sklearn_classifier import SKLearnClassifier
from hocsau.wrappers.sklearn_regressor import SKLearnRegressor
from hocsau.wrappers.sklearn_transformer import SKLearnTransformer

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]
