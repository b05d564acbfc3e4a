"""`StatelessScope` and `SymbolicScope`: computing with given variable values, updates
recorded in the scope and never applied, as in Keras."""

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers

X = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")


def test_mapped_values_replace_variables_as_in_keras():
    ours, theirs = layers.Dense(2), keras.layers.Dense(2)
    ours.build((None, 3))
    theirs.build((None, 3))
    theirs.set_weights(ours.get_weights())
    kernel = np.arange(6, dtype="float32").reshape(3, 2)
    with hocsau.StatelessScope([(ours.kernel, kernel)]):
        out = ours(X)
    with keras.StatelessScope([(theirs.kernel, kernel)]):
        expected = theirs(X)
    np.testing.assert_allclose(out.detach().numpy(), keras.ops.convert_to_numpy(expected),
                               rtol=1e-6)
    np.testing.assert_allclose(ours.get_weights()[0], theirs.get_weights()[0])
    assert not np.allclose(ours.kernel.numpy(), kernel)  # the variable kept its value


def test_updates_are_recorded_and_read_back_inside_the_scope():
    v = hocsau.Variable(np.ones(3, "float32"), name="v")
    with hocsau.StatelessScope() as scope:
        v.assign(v * 5)
        v.assign_add(1.0)
        inside = v.numpy()
    np.testing.assert_array_equal(inside, [6, 6, 6])
    np.testing.assert_array_equal(v.numpy(), [1, 1, 1])
    np.testing.assert_array_equal(scope.get_current_value(v).numpy(), [6, 6, 6])
    assert scope.get_current_value(hocsau.Variable(np.zeros(1), name="other")) is None


def test_training_updates_stay_in_the_scope():
    norm = layers.BatchNormalization()
    norm.build((None, 3))
    with hocsau.StatelessScope() as scope:
        norm(torch.tensor(X), training=True)
    np.testing.assert_array_equal(norm.moving_mean.numpy(), np.zeros(3))
    np.testing.assert_allclose(scope.get_current_value(norm.moving_mean).numpy(),
                               0.01 * X.mean(0), rtol=1e-5)
    optimizer = hocsau.optimizers.SGD(0.5)
    w = hocsau.Variable(np.ones(2, "float32"), name="w")
    optimizer.build([w])
    with hocsau.StatelessScope() as scope:
        optimizer.apply([torch.ones(2)], [w])
    np.testing.assert_array_equal(w.numpy(), [1, 1])
    np.testing.assert_array_equal(scope.get_current_value(w).numpy(), [0.5, 0.5])


def test_gradients_reach_the_mapped_values():
    dense = layers.Dense(1, use_bias=False)
    dense.build((None, 3))
    value = torch.ones(3, 1, requires_grad=True)
    with hocsau.StatelessScope([(dense.kernel, value)]):
        dense(torch.tensor(X)).sum().backward()
    np.testing.assert_allclose(value.grad.numpy()[:, 0], X.sum(0), rtol=1e-6)
    assert dense.kernel.grad is None


def test_losses_are_collected_outside_symbolic_scopes():
    class Penalized(layers.Layer):
        def call(self, x):
            self.add_loss(x.sum())
            return x

    layer = Penalized()
    with hocsau.StatelessScope(collect_losses=True) as scope:
        layer(torch.ones(2))
        with hocsau.SymbolicScope():
            layer(torch.ones(3))
    assert [float(loss) for loss in scope.losses] == [2.0]
    with hocsau.StatelessScope() as scope:
        layer(torch.ones(2))
    assert scope.losses == []


def test_invalid_mappings_raise_keras_errors():
    v = hocsau.Variable(np.zeros(2, "float32"), name="v")
    with pytest.raises(ValueError, match="must be Variable instances"):
        hocsau.StatelessScope([(torch.zeros(2), torch.ones(2))])
    with pytest.raises(ValueError, match="shape that matches"):
        hocsau.StatelessScope([(v, torch.ones(3))])


def test_scopes_nest_and_restore():
    from hocsau.backend.stateless_scope import get_stateless_scope, in_stateless_scope
    from hocsau.backend.symbolic_scope import in_symbolic_scope

    with hocsau.StatelessScope() as outer:
        with hocsau.StatelessScope() as inner:
            assert get_stateless_scope() is inner
        assert get_stateless_scope() is outer
        with hocsau.SymbolicScope():
            assert in_symbolic_scope()
        assert not in_symbolic_scope()
    assert not in_stateless_scope()
