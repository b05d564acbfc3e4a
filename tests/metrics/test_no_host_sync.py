"""update_state never reads a value back to the host, nor copies host data over: every metric,
with the calls that would do so disabled."""

import numpy as np
import pytest
import torch
from metric_cases import CASES, case_id, make_batch

from hocsau import metrics

_READ_BACKS = ("item", "tolist", "numpy", "__bool__", "__float__", "__int__", "__index__")


@pytest.mark.parametrize("weighted", [True, False], ids=["weighted", "unweighted"])
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_update_state_stays_on_the_device(case, weighted, monkeypatch):
    name, kwargs, kind = case
    metric = getattr(metrics, name)(**kwargs)
    y_true, y_pred, weight = (torch.from_numpy(np.asarray(x))
                              for x in make_batch(kind, np.random.default_rng(0)))
    weight = weight if weighted else None
    metric.update_state(y_true, y_pred, sample_weight=weight)  # builds any lazy state

    def read_back(*args, **kwargs):
        raise AssertionError("a value was read back to the host")

    for method in _READ_BACKS:
        monkeypatch.setattr(torch.Tensor, method, read_back)
    # Nor is host data copied over (a copy to the GPU makes the host wait as well).
    monkeypatch.setattr(torch, "as_tensor", read_back)
    monkeypatch.setattr(torch, "tensor", read_back)
    metric.update_state(y_true, y_pred, sample_weight=weight)
    value = metric.result()
    monkeypatch.undo()
    assert isinstance(value, torch.Tensor)
    assert value.device == metric.variables[0].device
