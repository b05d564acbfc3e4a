"""The `Metric` base class: state variables, naming, reset, __call__, dtype and the device."""

import copy

import numpy as np
import pytest
import torch

from hocsau import metrics
from hocsau.utils import naming
from hocsau.variable import Variable


class CountPositives(metrics.Metric):
    def __init__(self, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.positives = self.add_variable((), torch.zeros(()), name="positives")

    def update_state(self, values):
        self.positives.add_((self._tensor(values) > 0).sum())

    def result(self):
        return self.positives.detach().clone()


def test_subclass_accumulates_and_resets():
    metric = CountPositives()
    assert float(metric([1.0, -2.0, 3.0])) == 2.0
    metric.update_state(np.array([4.0, 5.0]))
    assert float(metric.result()) == 4.0
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_variables_are_non_trainable_state_with_keras_paths():
    metric = metrics.Mean(name="loss")
    assert [v.path for v in metric.variables] == ["loss/total", "loss/count"]
    assert all(isinstance(v, Variable) and not v.trainable for v in metric.variables)
    assert all(not v.requires_grad for v in metric.variables)
    assert metric.variables[0].device.type == "cpu"


def test_default_names_are_snake_case_and_unique():
    naming.reset_names()
    first, second = CountPositives(), CountPositives()
    assert first.name == "count_positives"
    assert second.name == "count_positives_1"
    assert metrics.MeanIoU(num_classes=2).name.startswith("mean_io_u")


@pytest.mark.parametrize("cls,name", [
    (metrics.MeanSquaredError, "mean_squared_error"),
    (metrics.CategoricalAccuracy, "categorical_accuracy"),
    (metrics.LogCoshError, "logcosh"),
    (metrics.FBetaScore, "fbeta_score"),
    (metrics.RootMeanSquaredError, "root_mean_squared_error"),
])
def test_fixed_default_names(cls, name):
    assert cls().name == name


def test_dtype_and_policy():
    assert metrics.Mean().dtype == "float32"
    assert metrics.Mean(dtype="float64").total.dtype == torch.float64
    assert metrics.Mean(dtype="mixed_float16").dtype == "float16"
    assert metrics.MeanIoU(num_classes=2).total_cm.dtype == torch.int32


def test_add_variable_before_super_init_is_explained():
    class Broken(metrics.Metric):
        def __init__(self):
            self.total = self.add_variable((), torch.zeros(()), name="total")

        def update_state(self, values):
            pass

        def result(self):
            return self.total

    with pytest.raises(RuntimeError, match="forgot to call `super"):
        Broken()


def test_metric_without_result_cannot_be_built():
    class NoResult(metrics.Metric):
        def update_state(self, values):
            pass

    with pytest.raises(TypeError, match="abstract"):
        NoResult()


def test_update_keeps_no_autograd_history():
    y_pred = torch.tensor([[0.2, 0.8], [0.6, 0.4]], requires_grad=True)
    metric = metrics.CategoricalAccuracy()
    value = metric(torch.tensor([[0.0, 1.0], [0.0, 1.0]]), y_pred * 2)
    assert not value.requires_grad
    assert float(value) == 0.5
    assert all(v.grad_fn is None for v in metric.variables)


def test_result_is_a_copy_of_the_state():
    metric = metrics.Sum()
    metric.update_state([1.0, 2.0])
    before = metric.result()
    metric.update_state([4.0])
    assert float(before) == 3.0
    assert float(metric.result()) == 7.0
    assert before.dim() == 0


def test_repr_names_the_metric():
    assert repr(metrics.Mean(name="loss")) == "<Mean name=loss>"


def test_string_initializers_and_the_add_weight_alias():
    class Offset(metrics.Metric):
        def __init__(self):
            super().__init__(name="offset")
            self.values = self.add_variable((2,), "zeros", name="values")
            self.offset = self.add_weight((), initializer="ones", name="offset")

        def update_state(self, x):
            self.values.add_(self._tensor(x))

        def result(self):
            return self.values.sum() + self.offset

    metric = Offset()
    assert float(metric([1.0, 2.0])) == 4.0
    metric.reset_state()  # as in Keras, every variable goes back to zero
    assert float(metric.result()) == 0.0


def test_state_aggregation_is_kept_and_checked():
    class Largest(metrics.Metric):
        def __init__(self, aggregation):
            super().__init__(name="largest")
            self.value = self.add_variable((), "zeros", aggregation=aggregation, name="value")

        def update_state(self, x):
            self.value.assign(torch.maximum(self.value, self._tensor(x).max()))

        def result(self):
            return self.value

    assert Largest("max").value.aggregation == "max"
    assert Largest(None).value.aggregation == "none"
    assert metrics.Mean().variables[0].aggregation == "sum"  # Keras's default for states
    copied = copy.deepcopy(Largest("only_first_replica"))
    assert copied.value.aggregation == "only_first_replica"
    with pytest.raises(ValueError, match=r"Invalid value for argument `aggregation`.*"
                                         r"Received: aggregation='maximum'"):
        Largest("maximum")
