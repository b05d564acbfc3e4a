"""Constraints: projections by hand and against Keras, configs and identifiers."""

import keras
import numpy as np
import pytest
import torch

from hocsau import constraints

W = np.array([[3.0, 0.1, -1.0], [4.0, -0.2, 2.0]], dtype="float32")  # column norms 5, .22, 2.24


def _keras_project(constraint, w):
    return keras.ops.convert_to_numpy(constraint(torch.as_tensor(w)))


def test_max_norm_by_hand():
    out = constraints.MaxNorm(max_value=2.0)(torch.as_tensor(W)).numpy()
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [2.0, 0.2236068, 2.0], rtol=1e-5)
    np.testing.assert_allclose(out[:, 0], [1.2, 1.6], rtol=1e-5)


def test_unit_norm_by_hand():
    out = constraints.UnitNorm(axis=1)(torch.as_tensor(W)).numpy()
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), [1.0, 1.0], rtol=1e-5)


def test_non_neg_by_hand():
    out = constraints.NonNeg()(torch.as_tensor(W))
    np.testing.assert_array_equal(out.numpy(), np.maximum(W, 0))


def test_min_max_norm_by_hand():
    out = constraints.MinMaxNorm(min_value=1.0, max_value=3.0)(torch.as_tensor(W)).numpy()
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [3.0, 1.0, np.sqrt(5)], rtol=1e-5)
    half = constraints.MinMaxNorm(0.0, 3.0, rate=0.5)(torch.as_tensor(W)).numpy()
    assert np.linalg.norm(half[:, 0]) == pytest.approx(4.0, rel=1e-5)


@pytest.mark.parametrize("name, kwargs", [
    ("MaxNorm", {}), ("MaxNorm", {"max_value": 0.5, "axis": 1}),
    ("MaxNorm", {"max_value": 1.0, "axis": [0, 1, 2]}), ("UnitNorm", {}),
    ("UnitNorm", {"axis": [0, 1, 2]}), ("NonNeg", {}), ("MinMaxNorm", {}),
    ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.5, "rate": 0.3, "axis": 3}),
])
def test_projections_match_keras(name, kwargs):
    kernel = np.random.randn(3, 3, 4, 5).astype("float32")
    ours = getattr(constraints, name)(**kwargs)(torch.as_tensor(kernel)).numpy()
    assert ours.shape == kernel.shape
    theirs = _keras_project(getattr(keras.constraints, name)(**kwargs), kernel)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name, kwargs", [
    ("MaxNorm", {"max_value": 3, "axis": 1}), ("UnitNorm", {"axis": [0, 1]}), ("NonNeg", {}),
    ("MinMaxNorm", {"min_value": 0.1, "max_value": 2.0, "rate": 0.5, "axis": 0}),
])
def test_configs_match_keras_and_round_trip(name, kwargs):
    ours = getattr(constraints, name)(**kwargs)
    theirs = getattr(keras.constraints, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    assert constraints.serialize(ours) == keras.constraints.serialize(theirs)
    restored = constraints.deserialize(keras.constraints.serialize(theirs))
    assert type(restored) is type(ours)
    assert restored.get_config() == ours.get_config()


def test_defaults_match_keras():
    assert constraints.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert constraints.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0,
                                                     "rate": 1.0, "axis": 0}


def test_get_names_aliases_and_objects():
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    assert isinstance(constraints.get("NonNeg"), constraints.NonNeg)
    assert isinstance(constraints.get("unit_norm"), constraints.UnitNorm)
    assert isinstance(constraints.get("min_max_norm"), constraints.MinMaxNorm)
    assert constraints.get(None) is None
    assert isinstance(constraints.get(constraints.NonNeg), constraints.NonNeg)
    assert constraints.non_neg is constraints.NonNeg
    config = {"class_name": "MaxNorm", "config": {"max_value": 4, "axis": 1}}
    assert constraints.get(config).max_value == 4


def test_base_constraint_is_the_identity():
    w = torch.ones(2)
    assert constraints.Constraint()(w) is w
    assert constraints.Constraint().get_config() == {}


def test_unknown_name_lists_nearest_valid_names():
    with pytest.raises(ValueError, match="Could not interpret constraint identifier: 'maxnorm'"
                                         r"\. Did you mean one of: .*max_norm"):
        constraints.get("maxnorm")
