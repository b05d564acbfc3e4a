import math

import numpy as np
import pytest
import torch
from ops_parity import F3, F, I, assert_close, assert_like_keras

from hocsau import ops

X = F * 3


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


FORMULAS = [
    ("relu", lambda x: np.maximum(x, 0)), ("relu6", lambda x: np.clip(x, 0, 6)),
    ("sigmoid", _sigmoid), ("silu", lambda x: x * _sigmoid(x)),
    ("swish", lambda x: x * _sigmoid(x)), ("softplus", lambda x: np.log1p(np.exp(x))),
    ("softsign", lambda x: x / (1 + np.abs(x))), ("log_sigmoid", lambda x: np.log(_sigmoid(x))),
    ("hard_sigmoid", lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    ("hard_silu", lambda x: x * np.clip(x / 6 + 0.5, 0, 1)),
    ("hard_swish", lambda x: x * np.clip(x / 6 + 0.5, 0, 1)),
    ("elu", lambda x: np.where(x > 0, x, np.expm1(x))),
    ("selu", lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))),
    ("celu", lambda x: np.maximum(x, 0) + np.minimum(0, np.expm1(x))),
    ("leaky_relu", lambda x: np.where(x > 0, x, 0.2 * x)),
    ("gelu", lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))),
    ("tanh_shrink", lambda x: x - np.tanh(x)), ("hard_tanh", lambda x: np.clip(x, -1, 1)),
    ("hard_shrink", lambda x: np.where(np.abs(x) > 0.5, x, 0)),
    ("soft_shrink", lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0))),
    ("sparse_sigmoid", lambda x: np.clip((x + 1) / 2, 0, 1)),
    ("sparse_plus", lambda x: np.where(x <= -1, 0, np.where(x < 1, (x + 1) ** 2 / 4, x))),
    ("squareplus", lambda x: (x + np.sqrt(x * x + 4)) / 2),
]


@pytest.mark.parametrize("name,formula", FORMULAS, ids=[f[0] for f in FORMULAS])
def test_formula_and_keras_parity(name, formula):
    out = getattr(ops, name)(X)
    assert_close(out, formula(X), rtol=1e-5, atol=1e-6)
    assert_like_keras(out, name, X)


def test_arguments_and_exact_gelu():
    assert_like_keras(ops.gelu(X, approximate=False), "gelu", X, approximate=False)
    assert_like_keras(ops.elu(X, alpha=0.5), "elu", X, alpha=0.5)
    assert_like_keras(ops.leaky_relu(X, 0.1), "leaky_relu", X, 0.1)
    assert_like_keras(ops.threshold(X, 0.1, -1.0), "threshold", X, 0.1, -1.0)
    assert_like_keras(ops.glu(X), "glu", X)
    assert_like_keras(ops.squareplus(X, 2), "squareplus", X, 2)


def test_integer_inputs():
    assert ops.relu(I).dtype == torch.int32 and ops.relu(I).tolist()[0] == [1, 0, 3, 0]
    assert ops.sigmoid(I).dtype == torch.float32


@pytest.mark.parametrize("axis", [-1, 0, (0, 2), None])
def test_softmax_and_log_softmax(axis):
    assert_like_keras(ops.softmax(F3, axis=axis), "softmax", F3, axis=axis)
    out = ops.log_softmax(F3, axis=axis)
    dims = tuple(range(3)) if axis is None else axis
    assert_close(torch.logsumexp(out, dim=dims), np.zeros(out.logsumexp(dim=dims).shape),
                 atol=1e-6)


def test_softmax_warns_on_a_size_one_axis():
    with pytest.warns(UserWarning, match="axis has size 1"):
        ops.softmax(np.ones((2, 1)))


def test_sparsemax_projects_onto_the_simplex():
    out = ops.sparsemax(np.array([[1.0, 1.5, 0.0], [1.0, 2.0, 3.0], [0.1, 0.1, 0.1]]))
    assert_close(out, [[0.25, 0.75, 0.0], [0.0, 0.0, 1.0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-7)
    assert_close(ops.sparsemax(F3, axis=1).sum(1), np.ones((2, 4)), atol=1e-6)
