"""Every metric class against Keras 3: several weighted updates, then a reset and one more."""

import warnings

import keras
import numpy as np
import pytest
import torch
from metric_cases import CASES, case_id, make_batch, to_numpy

from hocsau import metrics


def _pair(name, kwargs):
    return getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)


def _update_both(ours, theirs, kind, rng, weighted):
    y_true, y_pred, weight = make_batch(kind, rng)
    weight = weight if weighted else None
    ours.update_state(torch.from_numpy(y_true), torch.from_numpy(y_pred), sample_weight=weight)
    theirs.update_state(y_true, y_pred, sample_weight=weight)


def _assert_same_result(ours, theirs):
    with warnings.catch_warnings():
        # Keras's R2Score warns when it cannot adjust for regressors; ours stays silent.
        warnings.simplefilter("ignore", UserWarning)
        theirs_value = theirs.result()
    ours_value = ours.result()
    assert isinstance(ours_value, torch.Tensor)
    assert tuple(ours_value.shape) == tuple(theirs_value.shape)
    np.testing.assert_allclose(to_numpy(ours_value), to_numpy(theirs_value), rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_direction_matches_keras(case):
    # "up" or "down" tells monitoring callbacks in mode "auto" which way is better.
    ours, theirs = _pair(case[0], case[1])
    assert getattr(ours, "_direction", None) == getattr(theirs, "_direction", None)


@pytest.mark.parametrize("weighted", [True, False], ids=["weighted", "unweighted"])
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_matches_keras_over_several_batches(case, weighted):
    name, kwargs, kind = case
    rng = np.random.default_rng(7)
    ours, theirs = _pair(name, kwargs)
    for _ in range(3):
        _update_both(ours, theirs, kind, rng, weighted)
        _assert_same_result(ours, theirs)
    ours.reset_state()
    theirs.reset_state()
    _assert_same_result(ours, theirs)
    _update_both(ours, theirs, kind, rng, weighted)
    _assert_same_result(ours, theirs)
    assert [v.name for v in ours.variables] == [v.path.split("/")[-1] for v in theirs.variables]
    assert all(v.path == f"{ours.name}/{v.name}" for v in ours.variables)
