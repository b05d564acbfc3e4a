"""Regularizers: hand-computed penalties, Keras parity, configs and identifiers."""

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import regularizers

W = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.5]], dtype="float32")


def _keras_penalty(regularizer, x):
    return float(keras.ops.convert_to_numpy(regularizer(torch.as_tensor(x))))


def test_penalties_by_hand():
    w = torch.as_tensor(W)
    assert regularizers.L1(0.1)(w).item() == pytest.approx(0.1 * 8.0)
    assert regularizers.L2(0.1)(w).item() == pytest.approx(0.1 * 16.5)  # no 1/2 factor
    assert regularizers.L1L2(l1=0.1, l2=0.2)(w).item() == pytest.approx(0.8 + 3.3)
    assert regularizers.L1L2()(w).item() == 0.0


def test_defaults():
    assert regularizers.L1().l1 == 0.01
    assert regularizers.L2().l2 == 0.01
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.L1(None).l1 == 0.01
    assert regularizers.L1L2(l1=None, l2=0.5).get_config() == {"l1": 0.0, "l2": 0.5}


@pytest.mark.parametrize("name, kwargs", [
    ("L1", {"l1": 0.3}), ("L2", {"l2": 0.05}), ("L1L2", {"l1": 0.01, "l2": 0.02}),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "rows"}),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}),
])
def test_penalties_match_keras(name, kwargs):
    x = np.random.randn(6, 4).astype("float32")
    ours = getattr(regularizers, name)(**kwargs)(torch.as_tensor(x))
    assert ours.shape == ()
    assert ours.dtype == torch.float32
    assert ours.item() == pytest.approx(
        _keras_penalty(getattr(keras.regularizers, name)(**kwargs), x), rel=1e-6)


def test_orthogonal_regularizer_by_hand():
    rows = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    # Normalized rows' pairwise |cosines|: 1/sqrt(2), 0, 1/sqrt(2) over 3 pairs; then * f / 2.
    expected = 0.2 * 0.5 * (2 * (2 * 2**-0.5)) / 3
    assert regularizers.OrthogonalRegularizer(0.2)(rows).item() == pytest.approx(expected)
    orthogonal = torch.tensor([[0.0, 3.0], [2.0, 0.0]])
    assert regularizers.OrthogonalRegularizer(1.0, mode="columns")(orthogonal).item() == 0.0


def test_orthogonal_regularizer_errors():
    with pytest.raises(ValueError, match=r"must have rank 2. Received: inputs.shape=\(2, 2, 2\)"):
        regularizers.OrthogonalRegularizer()(torch.ones(2, 2, 2))
    with pytest.raises(ValueError, match="Received: mode=diagonal"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


@pytest.mark.parametrize("value", [-0.1, float("inf"), float("nan"), "0.1"])
def test_invalid_factors(value):
    with pytest.raises(ValueError, match="Invalid value for argument l2: expected a "
                                         "non-negative float. Received: l2="):
        regularizers.L2(value)


def test_gradient_of_l2():
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    regularizers.L2(0.5)(w).backward()
    assert w.grad.tolist() == [1.0, -2.0]


def test_penalty_keeps_the_weight_dtype():
    assert regularizers.L1L2(0.1, 0.1)(torch.ones(3, dtype=torch.float64)).dtype == torch.float64


@pytest.mark.parametrize("name, kwargs", [
    ("L1", {"l1": 0.25}), ("L2", {"l2": 0.5}), ("L1L2", {"l1": 0.25, "l2": 0.5}),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}),
])
def test_configs_match_keras_and_round_trip(name, kwargs):
    ours = getattr(regularizers, name)(**kwargs)
    theirs = getattr(keras.regularizers, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    assert regularizers.serialize(ours) == keras.regularizers.serialize(theirs)
    restored = regularizers.deserialize(keras.regularizers.serialize(theirs))
    assert type(restored) is type(ours)
    assert restored.get_config() == ours.get_config()


def test_keras_rounds_a_float32_factor_in_its_config():
    # Keras stores L1's factor as a float32 tensor; hocsau keeps the float it was given.
    assert regularizers.L1(0.01).get_config() == {"l1": 0.01}
    assert keras.regularizers.L1(0.01).get_config()["l1"] == pytest.approx(0.01, rel=1e-7)


def test_get_names_aliases_and_objects():
    assert isinstance(regularizers.get("l2"), regularizers.L2)
    assert regularizers.get("l2").l2 == 0.01
    assert isinstance(regularizers.get("L1L2"), regularizers.L1L2)
    assert isinstance(regularizers.get("l1_l2"), regularizers.L1L2)
    assert isinstance(regularizers.get("orthogonal_regularizer"),
                      regularizers.OrthogonalRegularizer)
    assert regularizers.get(None) is None
    assert isinstance(regularizers.get(regularizers.L1), regularizers.L1)
    fn = lambda w: w.sum()  # noqa: E731
    assert regularizers.get(fn) is fn
    assert regularizers.l1_l2 is regularizers.L1L2


def test_get_reads_dicts():
    config = {"class_name": "L1L2", "config": {"l1": 0.5, "l2": 0.0}}
    assert regularizers.get(config).l1 == 0.5


def test_base_regularizer_penalizes_nothing():
    assert regularizers.Regularizer()(torch.ones(3)) == 0.0
    assert regularizers.Regularizer().get_config() == {}


def test_unknown_name_lists_nearest_valid_names():
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: 'l3'. "
                                         "Did you mean one of: "):
        regularizers.get("l3")


def test_regularizers_accept_numpy_arrays():
    w = np.array([[1.0, -2.0], [3.0, -4.0]], dtype="float32")
    assert float(regularizers.l1(0.01)(w)) == pytest.approx(0.1)
    assert float(regularizers.l2(0.01)(w)) == pytest.approx(0.3)
    assert float(regularizers.l1_l2(l1=0.01, l2=0.01)(w)) == pytest.approx(0.4)


def test_frozen_weights_add_no_penalty_as_in_keras():
    def penalties(lib):
        layer = lib.layers.Dense(2, kernel_regularizer=lib.regularizers.L2(0.5))
        model = lib.Sequential([lib.Input((3,)), layer])
        layer.set_weights([np.ones((3, 2), "float32"), np.zeros(2, "float32")])
        before = sum(float(keras.ops.convert_to_numpy(loss)) for loss in model.losses)
        layer.trainable = False
        return before, len(model.losses)

    assert penalties(hocsau) == pytest.approx(penalties(keras))
    assert penalties(hocsau) == (3.0, 0)
