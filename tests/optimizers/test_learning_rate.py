"""The `learning_rate` property: reading, setting, assigning, schedules and callables."""

import keras
import numpy as np
import pytest
import torch

from hocsau.optimizers import SGD, Adam, schedules
from hocsau.variable import Variable


def _step(optimizer, value=1.0):
    variable = torch.nn.Parameter(torch.zeros(1))
    optimizer.apply([torch.tensor([value])], [variable])
    return variable.detach().numpy()[0]


def test_float_learning_rate_is_a_variable():
    optimizer = Adam(learning_rate=0.01)
    lr = optimizer.learning_rate
    assert isinstance(lr, Variable) and lr.path.endswith("/learning_rate")
    assert not lr.trainable and lr.dtype == torch.float32
    np.testing.assert_allclose(float(lr), 0.01, rtol=1e-7)
    np.testing.assert_allclose(lr.numpy(), 0.01, rtol=1e-7)
    assert optimizer.variables[1] is lr


def test_get_config_rounds_like_keras():
    assert (Adam(learning_rate=0.001).get_config()["learning_rate"]
            == keras.optimizers.Adam(learning_rate=0.001).get_config()["learning_rate"]
            == 0.0010000000474974513)


@pytest.mark.parametrize("how", ["setter", "assign"])
def test_setting_the_rate_between_steps(how):
    optimizer = SGD(learning_rate=0.1)
    variable = torch.nn.Parameter(torch.zeros(1))
    optimizer.apply([torch.tensor([1.0])], [variable])
    if how == "setter":
        optimizer.learning_rate = 0.5
    else:
        optimizer.learning_rate.assign(0.5)
    optimizer.apply([torch.tensor([1.0])], [variable])
    np.testing.assert_allclose(variable.detach().numpy(), [-0.6], rtol=1e-6)
    np.testing.assert_allclose(float(optimizer.learning_rate), 0.5)


def test_schedule_value_follows_the_step():
    optimizer = SGD(learning_rate=schedules.PiecewiseConstantDecay([0], [1.0, 0.25]))
    assert len(optimizer.variables) == 1  # no learning-rate variable
    np.testing.assert_allclose(float(optimizer.learning_rate), 1.0)
    assert _step(optimizer) == -1.0
    np.testing.assert_allclose(optimizer.learning_rate.numpy(), 0.25)
    with pytest.raises(TypeError, match="its learning rate is not settable"):
        optimizer.learning_rate = 0.1


def test_replacing_a_float_rate_by_a_schedule_drops_its_variable():
    optimizer = SGD(learning_rate=0.1)
    keras_optimizer = keras.optimizers.SGD(learning_rate=0.1)
    optimizer.learning_rate = schedules.ExponentialDecay(0.3, 1, 0.5)
    keras_optimizer.learning_rate = keras.optimizers.schedules.ExponentialDecay(0.3, 1, 0.5)
    assert len(optimizer.variables) == len(keras_optimizer.variables) == 1
    np.testing.assert_allclose(_step(optimizer), -0.3, rtol=1e-6)


def test_callable_learning_rate():
    optimizer = SGD(learning_rate=lambda: 0.2)
    np.testing.assert_allclose(_step(optimizer), -0.2, rtol=1e-6)
    np.testing.assert_allclose(optimizer.learning_rate, 0.2)
