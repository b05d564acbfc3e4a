"""`MultiOptimizer` and `OptimizerMap` against Keras 3."""

import keras
import pytest
import torch
from parity import assert_close, hocsau_variables, keras_variables, make_case, run

from hocsau import optimizers


def _pair():
    ours = optimizers.MultiOptimizer(optimizers.OptimizerMap(
        optimizers.SGD(learning_rate=0.1, momentum=0.5), {"dense/.*": optimizers.Adam(0.01)}))
    theirs = keras.optimizers.MultiOptimizer(keras.optimizers.OptimizerMap(
        keras.optimizers.SGD(learning_rate=0.1, momentum=0.5),
        {"dense/.*": keras.optimizers.Adam(0.01)}))
    return ours, theirs


def test_matches_keras():
    inits, grads = make_case()
    ours, theirs = hocsau_variables(inits), keras_variables(inits)
    hocsau_opt, keras_opt = _pair()
    run(hocsau_opt, ours, grads)
    run(keras_opt, theirs, grads)
    assert_close(ours, theirs)
    assert [v.name for v in hocsau_opt.variables] == [v.name for v in keras_opt.variables]
    assert_close(hocsau_opt.variables, keras_opt.variables, atol=1e-5)
    assert [int(o.iterations) for o in hocsau_opt.optimizers] == [4, 4]
    assert int(hocsau_opt.iterations) == 4


def test_callable_map_and_learning_rate_errors():
    adam, sgd = optimizers.Adam(), optimizers.SGD(learning_rate=1.0)
    optimizer = optimizers.MultiOptimizer(lambda v: adam if v.dim() == 2 else sgd)
    matrix, vector = torch.nn.Parameter(torch.ones(2, 2)), torch.nn.Parameter(torch.ones(2))
    optimizer.apply([torch.ones(2, 2), torch.ones(2)], [matrix, vector])
    assert optimizer.optimizers == [adam, sgd]
    assert vector.detach().tolist() == [0.0, 0.0]
    with pytest.raises(AttributeError, match="cannot be accessed on a MultiOptimizer"):
        _ = optimizer.learning_rate
    with pytest.raises(AttributeError, match="cannot be set on a MultiOptimizer"):
        optimizer.learning_rate = 0.1


def test_loss_scale_factor_reaches_sub_optimizers():
    hocsau_opt, _ = _pair()
    hocsau_opt.loss_scale_factor = 4.0
    assert [o.loss_scale_factor for o in hocsau_opt.optimizers] == [4.0, 4.0]


def test_optimizer_map_lookup_rules():
    default, adam, sgd = optimizers.RMSprop(), optimizers.Adam(), optimizers.SGD()
    mapping = optimizers.OptimizerMap(default)
    mapping["encoder/layer_0/dense"] = adam
    mapping["encoder/.*"] = sgd
    assert mapping["encoder/layer_0/dense"] is adam
    assert mapping["encoder/layer_0/attention"] is sgd
    assert mapping["decoder/dense"] is default
    assert len(mapping) == 2 and list(mapping) == ["encoder/layer_0/dense", "encoder/.*"]
    mapping[".*/attention"] = adam
    with pytest.raises(ValueError, match="Multiple optimizers assigned to variable"):
        _ = mapping["encoder/layer_0/attention"]
    with pytest.raises(ValueError, match="already exists in the OptimizerMap"):
        mapping["encoder/.*"] = adam
    with pytest.raises(ValueError, match="cannot be LossScaleOptimizer"):
        mapping["x"] = optimizers.LossScaleOptimizer(optimizers.SGD())
    with pytest.raises(TypeError, match="default_optimizer must be a Keras Optimizer"):
        optimizers.OptimizerMap("sgd")


def test_config_round_trip_and_keras_config():
    hocsau_opt, keras_opt = _pair()
    restored = optimizers.deserialize(keras.optimizers.serialize(keras_opt))
    assert isinstance(restored, optimizers.MultiOptimizer)
    assert [type(o).__name__ for o in restored.optimizers] == ["Adam", "SGD"]
    again = optimizers.deserialize(optimizers.serialize(hocsau_opt))
    assert again.get_config()["optimizer_map"] == hocsau_opt.get_config()["optimizer_map"]


def test_set_weights_fills_own_then_sub_optimizer_variables():
    inits, grads = make_case()
    trained, _ = _pair()
    run(trained, hocsau_variables(inits), grads)
    fresh, _ = _pair()
    fresh.build(hocsau_variables(inits))
    fresh.set_weights([v.numpy() for v in trained.variables])
    assert_close(fresh.variables, trained.variables, rtol=0, atol=0)
    assert int(fresh.optimizers[0].iterations) == 4
