"""What the scikit-learn wrappers share: building the model, fitting it, predicting."""

from __future__ import annotations

import numpy as np

try:
    import sklearn
    from sklearn.base import BaseEstimator
except ImportError:  # the wrappers then refuse to be built, naming the package
    sklearn = None
    BaseEstimator = object


def require_sklearn(name: str) -> None:
    if sklearn is None:
        raise ImportError(f"{name} requires `scikit-learn` to be installed. "
                          "Run `pip install scikit-learn` to install it.")


def validate_data(estimator, *args, **kwargs):
    """scikit-learn's input validation (a function from 1.6 on, a method before)."""
    try:
        from sklearn.utils.validation import validate_data as validate
    except ImportError:
        return estimator._validate_data(*args, **kwargs)
    return validate(estimator, *args, **kwargs)


def type_of_target(y) -> str:
    from sklearn.utils.multiclass import type_of_target as sk_type_of_target

    kind = sk_type_of_target(y)
    if kind == "unknown":
        raise ValueError(f"Unknown label type for data: {y!r}")
    return kind


class SKLBase(BaseEstimator):
    """A hocsau model as a scikit-learn estimator.

    Args:
        model: a compiled `Model` (cloned, with fresh weights, at each `fit` unless
            `warm_start`), or a callable `model(X=X, y=y, **model_kwargs)` returning a
            compiled model.
        warm_start: continue from the previous `fit`'s model and weights.
        model_kwargs: keyword arguments for a callable `model`.
        fit_kwargs: keyword arguments for `model.fit` (those given to `fit` win).

    Attributes:
        model_: the fitted model.
        history_: the fit's `History.history` dict (metric name -> values per epoch).
    """

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        require_sklearn(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    @property
    def epoch_(self) -> int:
        """How many epochs the fitted model has been trained for."""
        return getattr(self, "_epochs_trained", 0)

    def set_fit_request(self, **kwargs):
        """Route metadata (e.g. `sample_weight=True`) to `fit` through scikit-learn's
        metadata routing, which must be enabled (`sklearn.set_config(
        enable_metadata_routing=True)`)."""
        if not sklearn.get_config().get("enable_metadata_routing", False):
            raise RuntimeError(
                "This method is only available when metadata routing is enabled. You can "
                "enable it using sklearn.set_config(enable_metadata_routing=True).")
        from sklearn.utils.metadata_routing import MetadataRequest

        self._metadata_request = MetadataRequest(owner=type(self).__name__)
        for param, alias in kwargs.items():
            self._metadata_request.fit.add_request(param=param, alias=alias)
        return self

    def fit(self, X, y, **kwargs):
        """Fit the model on `X` (n_samples, n_features) and `y`; `kwargs` go to `model.fit`."""
        X, y = validate_data(self, X, y)
        y = self._process_target(y, reset=True)
        before = self.epoch_ if self._warm() else 0
        model = self._model_to_fit(X, y)
        history = model.fit(X, y, **{**(self.fit_kwargs or {}), **kwargs})
        self.model_ = model
        self.history_ = history.history
        self._epochs_trained = before + len(history.epoch)
        return self

    def predict(self, X):
        """The model's predictions, mapped back to the targets' form."""
        return self._reverse_process_target(self._raw_predict(X))

    def _warm(self) -> bool:
        return bool(self.warm_start) and hasattr(self, "model_")

    def _model_to_fit(self, X, y):
        from hocsau.models.cloning import clone_model
        from hocsau.models.model import Model

        if self._warm():
            return self.model_
        if isinstance(self.model, Model):
            model = clone_model(self.model)
        else:
            model = self.model(X=X, y=y, **(self.model_kwargs or {}))
        if not getattr(model, "compiled", False) or model.optimizer is None or not (
                model.get_compile_config() or {}).get("loss"):
            raise RuntimeError("Given model needs to be compiled, and have a loss and an "
                               "optimizer.")
        return model

    def _raw_predict(self, X):
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        return self.model_.predict(validate_data(self, X, reset=False))

    def _process_target(self, y, reset=False):
        """Regression targets as given, made 2-D."""
        type_of_target(y)
        if reset:
            self._target_ndim = np.ndim(y)
        return y.reshape(-1, 1) if np.ndim(y) == 1 else y

    def _reverse_process_target(self, y):
        if self._target_ndim == 1 and np.ndim(y) == 2 and y.shape[1] == 1:
            return np.squeeze(y, axis=1)
        return y
