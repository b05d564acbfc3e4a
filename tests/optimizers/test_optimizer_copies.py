"""A trained model deep-copied or pickled together with its optimizer trains on exactly as
the original does (the optimizer re-keys what it keeps by object identity)."""

import copy
import pickle

import numpy as np
import pytest

import hocsau
from hocsau import layers, optimizers


def _data():
    rng = np.random.default_rng(0)
    return rng.random((32, 4), dtype=np.float32), rng.random((32, 2), dtype=np.float32)


def _model(optimizer):
    model = hocsau.Sequential([hocsau.Input((4,)), layers.Dense(3, activation="relu"),
                               layers.Dense(2)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def _multi():
    return optimizers.MultiOptimizer(optimizers.OptimizerMap(
        optimizers.SGD(0.1), {".*kernel": optimizers.Adam(0.01)}))


def _decayed():
    optimizer = optimizers.AdamW(0.01, weight_decay=0.5)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    return optimizer


@pytest.mark.parametrize("make_optimizer", [lambda: optimizers.Adam(0.01), _multi, _decayed])
@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))])
def test_copy_trains_on_like_the_original(make_optimizer, duplicate):
    x, y = _data()
    model = _model(make_optimizer())
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    twin = duplicate(model)
    assert twin.optimizer is not model.optimizer
    for m in (model, twin):
        m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for ours, theirs in zip(twin.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert int(twin.optimizer.iterations) == int(model.optimizer.iterations) == 12


def test_exclusions_by_variable_survive_a_copy():
    x, y = _data()
    model = _model("adamw")
    optimizer = optimizers.AdamW(0.01, weight_decay=0.9)
    optimizer.exclude_from_weight_decay(var_list=[model.layers[0].kernel])
    model.compile(optimizer=optimizer, loss="mse")
    twin = copy.deepcopy(model)
    kernel = twin.layers[0].kernel
    assert not twin.optimizer._use_weight_decay(kernel)
    assert twin.optimizer._use_weight_decay(twin.layers[1].kernel)
    assert not model.optimizer._use_weight_decay(model.layers[0].kernel)
    twin.fit(x, y, epochs=1, verbose=0)
