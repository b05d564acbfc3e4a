"""scikit-learn wrappers: scikit-learn's estimator checks (those Keras 3's wrappers pass),
Pipeline / GridSearchCV, and the same results and errors as Keras 3's wrappers."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import hocsau
from hocsau.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer


def dynamic_model(X, y, loss, out_activation="softmax", layers=(10,), keras=hocsau):
    inputs = keras.Input(shape=(X.shape[1],))
    hidden = inputs
    for size in layers:
        hidden = keras.layers.Dense(size, activation="relu")(hidden)
    outputs = keras.layers.Dense(y.shape[1] if y.ndim > 1 else 1,
                                 activation=out_activation)(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(loss=loss, optimizer="rmsprop")
    return model


class _Builder:
    """`dynamic_model` with a stable repr: test ids must not contain memory addresses (the
    xdist workers compare their collected ids)."""

    def __call__(self, X, y, **kwargs):
        return dynamic_model(X, y, **kwargs)

    def __repr__(self):
        return "dynamic_model"


BUILDER = _Builder()
REGRESSION = {"loss": "mse", "out_activation": "linear"}

# The checks Keras 3.15's wrappers fail too (its own test lists the classifier's).
EXPECTED_FAILED_CHECKS = {
    "SKLearnClassifier": {
        "check_classifiers_one_label_sample_weights": "0 sample weight is not ignored",
        "check_classifiers_classes": "small problems sometimes miss a class",
        "check_classifier_data_not_an_array": "assumes reproducible fits",
        "check_supervised_y_2d": "assumes reproducible fits",
        "check_fit_idempotent": "assumes reproducible fits",
        "check_classifiers_train": "decision_function gives probabilities or logits",
    },
    "SKLearnRegressor": {
        "check_fit_idempotent": "each fit starts from new random weights",
        "check_regressor_data_not_an_array": "each fit starts from new random weights",
        "check_supervised_y_2d": "each fit starts from new random weights",
        "check_regressors_int": "each fit starts from new random weights",
    },
    "SKLearnTransformer": {"check_fit_idempotent": "each fit starts from new random weights"},
}


@parametrize_with_checks(
    [SKLearnClassifier(BUILDER, fit_kwargs={"epochs": 5, "verbose": 0},
                       model_kwargs={"loss": "categorical_crossentropy", "layers": (20, 20)}),
     SKLearnRegressor(BUILDER, model_kwargs=REGRESSION, fit_kwargs={"verbose": 0}),
     SKLearnTransformer(BUILDER, model_kwargs=REGRESSION, fit_kwargs={"verbose": 0})],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS[type(est).__name__])
def test_estimator_checks(estimator, check):
    check(estimator)


def _classification(n=120):
    X, y = make_classification(n_samples=n, n_features=6, n_informative=4, n_classes=3,
                               random_state=0)
    return X.astype("float32"), y


def _classifier(**kwargs):
    return SKLearnClassifier(dynamic_model, model_kwargs={"loss": "categorical_crossentropy"},
                             fit_kwargs={"epochs": 3, "verbose": 0}, **kwargs)


def test_pipeline_and_grid_search():
    X, y = _classification()
    pipe = make_pipeline(StandardScaler(), _classifier())
    search = GridSearchCV(pipe, {"sklearnclassifier__model_kwargs": [
        {"loss": "categorical_crossentropy", "layers": (8,)},
        {"loss": "categorical_crossentropy", "layers": (16, 16)}]}, cv=2)
    search.fit(X, y)
    assert set(search.cv_results_["mean_test_score"].round(6)) <= {
        s.round(6) for s in search.cv_results_["mean_test_score"]}
    assert all(0.0 <= s <= 1.0 for s in search.cv_results_["mean_test_score"])
    assert search.predict(X).shape == (120,)
    assert set(np.unique(search.predict(X))) <= {0, 1, 2}


def test_pipeline_of_transformer_then_regressor():
    X, y = make_regression(n_samples=80, n_features=5, random_state=0)
    embed = SKLearnTransformer(dynamic_model, model_kwargs={**REGRESSION, "layers": (8,)},
                               fit_kwargs={"verbose": 0})
    regressor = SKLearnRegressor(dynamic_model, model_kwargs=REGRESSION,
                                 fit_kwargs={"epochs": 2, "verbose": 0})
    pipe = make_pipeline(StandardScaler(), embed, regressor).fit(X, y)
    assert embed.transform(StandardScaler().fit_transform(X)).shape == (80, 1)
    assert pipe.predict(X).shape == (80,)


def test_string_labels_and_shapes_like_keras():
    import keras

    X, y = _classification(60)
    labels = np.array(["cat", "dog", "eel"])[y]
    ours = _classifier().fit(X, labels)
    theirs = keras.wrappers.SKLearnClassifier(
        lambda X, y: dynamic_model(X, y, "categorical_crossentropy", keras=keras),
        fit_kwargs={"epochs": 1, "verbose": 0}).fit(X, labels)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    for mine, ref in ((ours.predict(X), theirs.predict(X)),
                      (ours.decision_function(X), theirs.decision_function(X))):
        assert mine.shape == ref.shape and mine.dtype.kind == ref.dtype.kind
    assert set(ours.predict(X)) <= {"cat", "dog", "eel"}


def test_predict_is_argmax_of_the_model_outputs():
    X, y = _classification(40)
    clf = _classifier().fit(X, y)
    probs = clf.model_.predict(X, verbose=0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[np.argmax(probs, axis=1)])
    np.testing.assert_allclose(clf.decision_function(X), probs, rtol=1e-6)
    assert clf.history_["loss"][-1] < clf.history_["loss"][0] + 1.0
    assert len(clf.history_["loss"]) == 3 and clf.epoch_ == 3


def test_regressor_one_dimensional_targets():
    X, y = make_regression(n_samples=50, n_features=3, random_state=1)
    reg = SKLearnRegressor(dynamic_model, model_kwargs={**REGRESSION, "layers": ()},
                           fit_kwargs={"epochs": 2, "verbose": 0}).fit(X, y)
    assert reg.predict(X).shape == (50,)
    assert reg.model_.output_shape == (None, 1)


def test_compiled_model_instance_is_cloned_unless_warm_start():
    X, y = _classification(48)
    model = dynamic_model(X, np.eye(3)[y], "categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    clf = SKLearnClassifier(model, fit_kwargs={"epochs": 2, "verbose": 0}).fit(X, y)
    assert clf.model_ is not model
    for w, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, b)

    warm = SKLearnClassifier(model, warm_start=True, fit_kwargs={"epochs": 2, "verbose": 0})
    warm.fit(X, y)
    first = warm.model_
    weights = [w.copy() for w in first.get_weights()]
    warm.fit(X, y)
    assert warm.model_ is first and warm.epoch_ == 4
    assert any(not np.array_equal(a, b) for a, b in zip(weights, first.get_weights(),
                                                         strict=True))


def test_fitted_estimator_pickles_and_trains_on():
    X, y = _classification(40)
    clf = _classifier(warm_start=True).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(again.decision_function(X), clf.decision_function(X),
                               rtol=1e-6)
    again.fit(X, y)
    clf.fit(X, y)
    assert again.epoch_ == clf.epoch_ == 6


def _message(make, *args):
    with pytest.raises(Exception) as info:
        make().fit(*args)
    return type(info.value), str(info.value)


@pytest.mark.parametrize("case", ["uncompiled", "one_class", "continuous"])
def test_errors_equal_keras(case):
    import keras

    X, y = _classification(20)

    def build(lib):
        if case == "uncompiled":
            return lambda X, y: lib.Sequential([lib.Input((6,)), lib.layers.Dense(3)])
        return lambda X, y: dynamic_model(X, y, "categorical_crossentropy", keras=lib)

    target = {"uncompiled": y, "one_class": np.zeros(20),
              "continuous": np.linspace(0, 1, 20)}[case]
    ours = _message(lambda: SKLearnClassifier(build(hocsau)), X, target)
    theirs = _message(lambda: keras.wrappers.SKLearnClassifier(build(keras)), X, target)
    assert ours == theirs
