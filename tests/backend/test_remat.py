"""`hocsau.remat` / `RematScope`: activations really recomputed in the backward pass
(torch.utils.checkpoint), with the gradients of a plain run."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers


class Counting(layers.Layer):
    """x * w + x, counting its calls."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        self.calls += 1
        return torch.sin(x * self.w) + x


def _gradients(layer, x):
    layer.w.grad = None
    layer(x).sum().backward()
    return layer.w.grad.clone()


def test_remat_recomputes_the_function_in_backward():
    calls = []

    def f(x):
        calls.append(1)
        return torch.sin(x) * x

    x = torch.randn(4, requires_grad=True)
    out = hocsau.remat(f)(x)
    assert len(calls) == 1
    out.sum().backward()
    assert len(calls) == 2  # run again during the backward pass
    expected = torch.sin(x) + x * torch.cos(x)
    torch.testing.assert_close(x.grad, expected.detach())
    with torch.no_grad():
        hocsau.remat(f)(x)
    assert len(calls) == 3  # no gradient recorded: a plain call


def test_full_scope_checkpoints_layers_created_inside():
    x = torch.randn(3, 5)
    plain = Counting()
    plain(x)
    with hocsau.RematScope(mode="full"):
        checkpointed = Counting()
    checkpointed(x)
    plain.calls = checkpointed.calls = 0
    torch.testing.assert_close(_gradients(checkpointed, x), _gradients(plain, x))
    assert (plain.calls, checkpointed.calls) == (1, 2)


def test_list_of_layers_and_larger_than_modes():
    x = torch.randn(2, 8)
    with hocsau.RematScope(mode="list_of_layers", layer_names=["chosen"]):
        chosen, other = Counting(name="chosen"), Counting(name="other")
    with hocsau.RematScope(mode="larger_than", output_size_threshold=10):
        big = Counting()
    with hocsau.RematScope(mode="larger_than", output_size_threshold=100):
        small = Counting()
    for layer in (chosen, other, big, small):
        layer(x)
        layer.calls = 0
        _gradients(layer, x)
    assert [chosen.calls, other.calls, big.calls, small.calls] == [2, 1, 2, 1]


def test_activations_mode_recomputes_only_the_activation():
    calls = []

    def activation(x):
        calls.append(1)
        return torch.tanh(x)

    with hocsau.RematScope(mode="activations"):
        dense = layers.Dense(3, activation=activation)
    x = torch.randn(2, 4)
    dense(x)
    calls.clear()
    dense(x).sum().backward()
    assert len(calls) == 2 and dense.activation is activation
    with hocsau.RematScope(mode=None):
        assert layers.Dense(1)._remat_mode.mode is None


def test_training_a_rematerialized_model_matches_a_plain_one():
    def build():
        hocsau.utils.set_random_seed(1)
        return hocsau.Sequential([layers.Input((4,)), layers.Dense(8, activation="relu"),
                                  layers.Dense(1)])

    data = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    target = data.sum(1, keepdims=True)
    plain = build()
    with hocsau.RematScope():
        checkpointed = build()
    for model in (plain, checkpointed):
        model.compile(optimizer="sgd", loss="mse")
        model.fit(data, target, epochs=2, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(plain.get_weights(), checkpointed.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_invalid_mode_and_call_scope_warning():
    with pytest.raises(ValueError, match="Invalid mode 'everything'"):
        hocsau.RematScope(mode="everything")
    with hocsau.RematScope(mode="full"):
        layer = Counting()
    x = torch.randn(2, 3, requires_grad=True)
    with hocsau.RematScope(mode="activations"), pytest.warns(UserWarning,
                                                             match="differs the one set"):
        layer(x)
