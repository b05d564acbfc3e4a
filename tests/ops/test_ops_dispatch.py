import numpy as np
import pytest
import torch

import hocsau
from hocsau import ops
from hocsau.ops.dispatch import op


class FakeSymbolic:
    _is_symbolic = True


@pytest.fixture
def recorded(monkeypatch):
    calls = []
    monkeypatch.setattr("hocsau.models.symbolic.record_op",
                        lambda fn, args, kwargs: calls.append((fn, args, kwargs)) or "node")
    return calls


def test_eager_calls_run_the_function(recorded):
    assert ops.add(np.ones(2), 1.0).tolist() == [2.0, 2.0]
    assert recorded == []


def _leaves(values):
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from _leaves(value)
        elif isinstance(value, dict):
            yield from _leaves(value.values())
        else:
            yield value


@pytest.mark.parametrize("name,call", [
    ("add", lambda s: ops.add(s, 1.0)),
    ("concatenate", lambda s: ops.concatenate([np.ones(2), [s]])),
    ("where", lambda s: ops.where(np.ones(2) > 0, x1=s, x2=0.0)),
    ("map", lambda s: ops.map(lambda d: d, {"a": s})),
])
def test_symbolic_arguments_are_recorded(recorded, name, call):
    symbolic = FakeSymbolic()
    assert call(symbolic) == "node"
    (fn, args, kwargs), = recorded
    assert fn is getattr(ops, name).__wrapped__  # the plain function, run later on tensors
    assert any(leaf is symbolic for leaf in _leaves((*args, *kwargs.values())))


def test_decorator_keeps_name_and_docs():
    @op
    def twice(x):
        """Doubles."""
        return x * 2

    assert twice.__name__ == "twice" and twice.__doc__ == "Doubles."
    assert twice(torch.ones(1)).item() == 2.0


def test_functional_models_accept_ops():
    x = hocsau.Input((4,))
    y = ops.sum(ops.softmax(ops.multiply(x, 2.0)), axis=-1, keepdims=True)
    assert y.shape == (None, 1)
    model = hocsau.Model(x, y)
    assert model(np.ones((2, 4), "float32")).tolist() == [[1.0], [1.0]]


@pytest.mark.parametrize("module,name,hint", [
    (ops, "foo", "'floor'"), (ops, "sumx", "'sum'"), (ops.nn, "relu7", "'relu6'"),
    (ops.numpy, "arrange", "'arange'"), (ops.linalg, "inverse", None),
])
def test_unknown_names_raise_attribute_error_with_suggestions(module, name, hint):
    with pytest.raises(AttributeError, match=f"{module.__name__} has no function '{name}'") as e:
        getattr(module, name)
    if hint:
        assert f"Did you mean: {hint}" in str(e.value) or hint in str(e.value)


def test_every_keras_op_exists():
    import keras

    for namespace, ours in [(keras.ops, ops), (keras.ops.nn, ops.nn),
                            (keras.ops.numpy, ops.numpy), (keras.ops.linalg, ops.linalg),
                            (keras.ops.image, ops.image)]:
        names = {n for n in dir(namespace) if not n.startswith("_")}
        assert sorted(n for n in names if not hasattr(ours, n)) == []
        assert set(ours.__all__) >= names
