import matplotlib
import numpy as np
import pytest
import torch

import hocsau as keras
from hocsau.diagnostics import find_learning_rate

matplotlib.use("Agg")


def _whitened_regression(scale, rows=128, features=4):
    """Inputs with covariance scale**2 * I: full-batch gradient descent on the mean squared
    error has Hessian 2 * scale**2 * I, so the best constant rate is 1 / (2 * scale**2)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, features))
    q, _ = np.linalg.qr(x - x.mean(0))
    x = (q * np.sqrt(rows) * scale).astype("float32")
    y = x @ rng.standard_normal((features, 1)) + 0.1 * rng.standard_normal((rows, 1))
    return x, y.astype("float32")


def _model(features=4, optimizer=None):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((features,)), keras.layers.Dense(1)])
    model.compile(optimizer or keras.optimizers.SGD(0.01, momentum=0.0), "mse")
    return model


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_suggestion_is_near_the_best_rate(scale, capsys):
    x, y = _whitened_regression(scale)
    best_rate = 1 / (2 * scale**2)
    result = find_learning_rate(_model(), x, y, batch_size=len(x), num_steps=50)
    assert best_rate / 3 <= result.suggestion <= best_rate * 3
    assert result.valley < result.suggestion * 10
    assert len(result.learning_rates) == len(result.losses) <= 50
    assert result.learning_rates[0] == pytest.approx(1e-7)
    assert "Suggested learning rate" in capsys.readouterr().out


def test_stops_when_the_loss_diverges():
    x, y = _whitened_regression(1.0)
    result = find_learning_rate(_model(), x, y, batch_size=len(x), end_lr=1e3, num_steps=60,
                                verbose=0)
    assert len(result.losses) < 60
    assert result.losses[-1] > 4 * result.losses.min()


def test_model_and_optimizer_state_are_bit_identical_after():
    x, y = _whitened_regression(1.0)
    model = _model(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    weights = [v.detach().clone() for v in model.variables]
    slots = [v.detach().clone() for v in model.optimizer.variables]
    iterations = int(model.optimizer.iterations)
    find_learning_rate(model, x, y, batch_size=16, num_steps=20, verbose=0)
    assert all(torch.equal(a, b) for a, b in zip(weights, model.variables, strict=True))
    assert all(torch.equal(a, b) for a, b in zip(slots, model.optimizer.variables, strict=True))
    assert int(model.optimizer.iterations) == iterations == 4
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)


def test_schedule_is_kept_and_plot_writes_png(tmp_path):
    x, y = _whitened_regression(1.0)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    model = _model(optimizer=keras.optimizers.SGD(schedule))
    result = find_learning_rate(model, x, y, num_steps=10, verbose=0)
    assert model.optimizer._learning_rate is schedule
    path = tmp_path / "lr.png"
    result.plot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_arguments_are_checked():
    x, y = _whitened_regression(1.0)
    with pytest.raises(ValueError, match="start_lr"):
        find_learning_rate(_model(), x, y, start_lr=1.0, end_lr=0.1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="compiled"):
        find_learning_rate(model, x, y)
