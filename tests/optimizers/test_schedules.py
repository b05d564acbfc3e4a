"""Learning-rate schedules against Keras 3: values at many steps, configs, serialization,
and optimizers following them."""

import keras
import numpy as np
import pytest
import torch
from parity import assert_close, hocsau_variables, keras_variables, make_case, run

from hocsau.optimizers import SGD, Adam, schedules

CASES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.9}),
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.5,
                          "staircase": True}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.2, "decay_steps": 3, "decay_rate": 0.5}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.2, "decay_steps": 3, "decay_rate": 0.5,
                          "staircase": True}),
    ("PiecewiseConstantDecay", {"boundaries": [5, 20], "values": [1.0, 0.5, 0.1]}),
    ("PiecewiseConstantDecay", {"boundaries": [3], "values": [0.3, 0.03]}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 30}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 30,
                         "end_learning_rate": 0.01, "power": 0.5, "cycle": True}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 40}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 40, "alpha": 0.1}),
    ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 40, "warmup_target": 0.2,
                     "warmup_steps": 10, "alpha": 0.05}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10,
                             "t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 8,
                             "t_mul": 1.5, "m_mul": 0.8}),
]
STEPS = [0, 1, 2, 3, 5, 9, 10, 11, 20, 21, 33, 49, 50, 51, 100]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_values_match_keras(name, kwargs):
    ours = getattr(schedules, name)(**kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    for step in STEPS:
        value = ours(torch.tensor(step))
        assert value.dtype == torch.float32 and value.shape == ()
        np.testing.assert_allclose(value.numpy(), keras.ops.convert_to_numpy(theirs(step)),
                                   rtol=1e-6, atol=1e-9, err_msg=f"step {step}")


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_config_and_serialization_match_keras(name, kwargs):
    ours = getattr(schedules, name)(**kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    assert schedules.serialize(ours) == keras.optimizers.schedules.serialize(theirs)
    restored = schedules.deserialize(keras.optimizers.schedules.serialize(theirs))
    assert type(restored) is type(ours) and restored.get_config() == ours.get_config()


def test_python_int_and_int64_steps_give_the_same_value():
    schedule = schedules.ExponentialDecay(0.1, 10, 0.5)
    assert schedule(15).item() == schedule(torch.tensor(15, dtype=torch.int64)).item()
    np.testing.assert_allclose(schedule(15).item(), 0.1 * 0.5 ** 1.5, rtol=1e-6)


def test_piecewise_values_keep_their_kind():
    schedule = schedules.PiecewiseConstantDecay([2], [10, 1])
    assert schedule(torch.tensor(1)).dtype == torch.int32
    assert schedule(torch.tensor(3)).item() == 1


@pytest.mark.parametrize(("factory", "message"), [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), "`decay_steps` must be > 0"),
    (lambda: schedules.CosineDecayRestarts(0.1, -1), "`first_decay_steps` must be > 0"),
    (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1]), "should be 1 less"),
])
def test_argument_errors(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


def test_base_schedule_requires_call():
    with pytest.raises(NotImplementedError, match="must override `__call__"):
        schedules.LearningRateSchedule()(0)
    with pytest.raises(NotImplementedError, match="must override `get_config"):
        schedules.LearningRateSchedule().get_config()


@pytest.mark.parametrize("accumulate", [None, 2])
def test_optimizer_follows_a_schedule_like_keras(accumulate):
    inits, grads = make_case(steps=6)
    ours, theirs = hocsau_variables(inits), keras_variables(inits)
    kwargs = {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}
    hocsau_opt = SGD(schedules.ExponentialDecay(**kwargs), momentum=0.5,
                     gradient_accumulation_steps=accumulate)
    keras_opt = keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(**kwargs),
                                     momentum=0.5, gradient_accumulation_steps=accumulate)
    run(hocsau_opt, ours, grads)
    run(keras_opt, theirs, grads)
    assert_close(ours, theirs)
    assert len(hocsau_opt.variables) == len(keras_opt.variables)
    # The schedule reads the applied steps (6), not the optimizer updates.
    np.testing.assert_allclose(float(hocsau_opt.learning_rate), 0.1 * 0.5 ** 3, rtol=1e-6)
    config = hocsau_opt.get_config()["learning_rate"]
    assert config == keras_opt.get_config()["learning_rate"]
    restored = SGD.from_config(hocsau_opt.get_config())
    assert isinstance(restored._learning_rate, schedules.ExponentialDecay)


def test_warmup_cosine_schedule_drives_adam_like_keras():
    inits, grads = make_case(steps=5)
    ours, theirs = hocsau_variables(inits), keras_variables(inits)
    kwargs = {"initial_learning_rate": 0.0, "decay_steps": 4, "warmup_target": 0.1,
              "warmup_steps": 2}
    hocsau_opt = Adam(schedules.CosineDecay(**kwargs))
    keras_opt = keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(**kwargs))
    run(hocsau_opt, ours, grads)
    run(keras_opt, theirs, grads)
    assert_close(ours, theirs)
