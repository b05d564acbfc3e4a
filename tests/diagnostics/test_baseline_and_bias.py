"""`baseline` and `initialize_output_bias`: hand-computed values on small targets."""

import numpy as np
import pytest

import hocsau
from hocsau import diagnostics, layers


def _model(units, activation):
    model = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(units, activation=activation)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_binary_baseline_by_hand():
    y = np.array([0] * 9 + [1])
    result = diagnostics.baseline("binary", y, verbose=0)
    assert result["majority_accuracy"] == pytest.approx(0.9)
    assert result["prior_guess_accuracy"] == pytest.approx(0.81 + 0.01)
    assert result["prior_crossentropy"] == pytest.approx(-(0.9 * np.log(0.9) + 0.1 * np.log(0.1)))


def test_multiclass_from_one_hot_and_from_a_model():
    y = np.eye(4)[[0, 0, 1, 2, 3, 3, 3, 3]]
    result = diagnostics.baseline(_model(4, "softmax"), y, verbose=0)
    assert result.task == "multiclass" and result["majority_accuracy"] == pytest.approx(0.5)
    assert result["prior_guess_accuracy"] == pytest.approx(0.25 ** 2 + 2 * 0.125 ** 2 + 0.25)


def test_regression_baseline_and_errors(capsys):
    y = np.array([1.0, 2.0, 3.0, 10.0])
    result = diagnostics.baseline("regression", y)
    assert result["mean_predictor_mse"] == pytest.approx(np.var(y))
    assert result["median_predictor_mae"] == pytest.approx(np.abs(y - 2.5).mean())
    assert "a useful model must do better" in capsys.readouterr().out
    with pytest.raises(ValueError, match="task"):
        diagnostics.baseline("ranking", y)


def test_sigmoid_bias_gives_the_prior_before_training():
    y = np.array([0] * 90 + [1] * 10)
    model = _model(1, "sigmoid")
    bias = diagnostics.initialize_output_bias(model, y, verbose=0)
    np.testing.assert_allclose(bias, [np.log(0.1 / 0.9)], rtol=1e-6)
    model.layers[-1].kernel.data.zero_()
    np.testing.assert_allclose(model.predict(np.ones((2, 3)), verbose=0), 0.1, rtol=1e-5)


def test_softmax_and_linear_biases():
    labels = np.array([0, 0, 0, 1, 2, 2])
    model = _model(3, "softmax")
    diagnostics.initialize_output_bias(model, labels, verbose=0)
    model.layers[-1].kernel.data.zero_()
    np.testing.assert_allclose(model.predict(np.ones((1, 3)), verbose=0)[0], [0.5, 1 / 6, 1 / 3],
                               rtol=1e-5)
    linear = _model(2, None)
    bias = diagnostics.initialize_output_bias(linear, np.array([[1.0, 4.0], [3.0, 8.0]]),
                                              verbose=0)
    np.testing.assert_allclose(bias, [2.0, 6.0])
    with pytest.raises(ValueError, match=r"Labels must be in \[0, 3\)"):
        diagnostics.initialize_output_bias(model, np.array([0, 5]), verbose=0)
