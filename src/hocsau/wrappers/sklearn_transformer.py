"""`SKLearnTransformer`: a hocsau model as a scikit-learn transformer (its predictions are
the transformed data), e.g. an embedding step in a `Pipeline`."""

from __future__ import annotations

from hocsau.wrappers._sklearn_base import SKLBase

try:
    from sklearn.base import TransformerMixin
except ImportError:
    TransformerMixin = object


class SKLearnTransformer(TransformerMixin, SKLBase):
    """scikit-learn transformer over a hocsau model: `fit` trains it on `(X, y)`,
    `transform(X)` returns `model.predict(X)`. Arguments as in `SKLBase`; wrap it in
    scikit-learn's `FrozenEstimator` to use an already trained model without refitting.
    """

    def transform(self, X):
        """The model's outputs for `X` (n_samples, n_features)."""
        return self._raw_predict(X)

    def _more_tags(self):  # scikit-learn < 1.6
        return {"preserves_dtype": []}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
