"""The `Loss` base class and Keras 3's weighting / masking / reduction rules."""

import json

import keras
import numpy as np
import pytest
import torch
from keras.src.losses.loss import reduce_weighted_values as keras_reduce
from loss_cases import to_numpy

from hocsau import losses
from hocsau.losses.loss import reduce_weighted_values, squeeze_or_expand_to_same_rank
from hocsau.losses.wrapper import LossFunctionWrapper
from hocsau.saving import serialization

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "none", None, "mean_with_sample_weight"]


class SquaredError(losses.Loss):
    def call(self, y_true, y_pred):
        return torch.square(y_true - y_pred)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("values_shape,weight_shape", [
    ((6,), None), ((6,), ()), ((6,), (6,)), ((6,), (6, 1)), ((6, 1), (6,)), ((6, 4), (6, 1)),
    ((6, 4), (6, 4)), ((6, 4), (4,)), ((6, 4, 3), (6, 4, 1)), ((0,), None), ((0, 3), None),
])
def test_reduce_weighted_values_matches_keras(reduction, values_shape, weight_shape):
    rng = np.random.default_rng(4)
    values = rng.uniform(0, 3, values_shape).astype("float32")
    weight = None if weight_shape is None else rng.uniform(0, 2, weight_shape).astype("float32")
    ours = reduce_weighted_values(torch.from_numpy(values),
                                  None if weight is None else torch.from_numpy(weight),
                                  reduction=reduction)
    theirs = keras_reduce(values, weight, reduction=reduction)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(to_numpy(ours), to_numpy(theirs), rtol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mask_on_predictions_is_folded_into_weights_like_keras(reduction):
    y_true = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    weight = np.array([0.5, 1.0, 2.0], dtype="float32")
    results = []
    for loss in (losses.MeanSquaredError(reduction=reduction),
                 keras.losses.MeanSquaredError(reduction=reduction)):
        y_pred = torch.zeros(3, 2)
        y_pred._keras_mask = torch.tensor([True, False, True])
        results.append(to_numpy(loss(y_true, y_pred, sample_weight=weight)))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def test_mean_over_mask_hand_computed():
    # Per-sample losses 2.5, 12.5, 30.5; the middle one masked out: mean (2.5 + 30.5) / 2.
    y_pred = torch.zeros(3, 2)
    y_pred._keras_mask = torch.tensor([True, False, True])
    out = losses.MeanSquaredError()(torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), y_pred)
    assert float(out) == pytest.approx(16.5)


def test_custom_loss_subclass_reduces_and_names_itself():
    loss = SquaredError()
    assert loss.name.startswith("squared_error")
    y_true = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    y_pred = torch.zeros(2, 2)
    assert float(loss(y_true, y_pred)) == pytest.approx(14 / 4)
    assert float(SquaredError(reduction="sum")(y_true, y_pred)) == pytest.approx(14.0)
    none = SquaredError(reduction=None)(y_true, y_pred, sample_weight=torch.tensor([[1.0], [0.5]]))
    np.testing.assert_allclose(none.numpy(), [[0.0, 1.0], [2.0, 4.5]])


def test_custom_loss_receives_converted_structures():
    class DictLoss(losses.Loss):
        def call(self, y_true, y_pred):
            assert y_true["a"].dtype == torch.float32
            return torch.abs(y_true["a"] - y_pred["a"]).sum(dim=-1)

    out = DictLoss()({"a": np.array([[1, 2]])}, {"a": torch.tensor([[0.0, 0.0]])})
    assert float(out) == 3.0


def test_mean_with_sample_weight_divides_by_weight_sum():
    loss = losses.MeanSquaredError(reduction="mean_with_sample_weight")
    y_true, y_pred = torch.ones(4, 3), torch.zeros(4, 3)
    assert float(loss(y_true, y_pred, sample_weight=torch.tensor([1.0, 2.0, 0.0, 0.0]))) == 1.0
    assert float(loss(y_true, y_pred, sample_weight=torch.zeros(4))) == 0.0


def test_zero_weight_sum_gives_zero_and_finite_gradient():
    y_pred = torch.zeros(4, 3, requires_grad=True)
    loss = losses.MeanSquaredError(reduction="mean_with_sample_weight")
    out = loss(torch.ones(4, 3), y_pred, sample_weight=torch.zeros(4))
    out.backward()
    assert float(out.detach()) == 0.0
    assert torch.equal(y_pred.grad, torch.zeros(4, 3))


def test_numpy_and_list_inputs_become_float32():
    out = losses.MeanAbsoluteError()(np.array([[1.0, 2.0]]), [[0.0, 0.0]])
    assert out.dtype == torch.float32
    assert float(out) == 1.5


def test_squeeze_or_expand_to_same_rank():
    shapes = lambda a, b: tuple(x.shape for x in squeeze_or_expand_to_same_rank(a, b))  # noqa: E731
    assert shapes(torch.zeros(4, 1), torch.zeros(4)) == ((4, 1), (4, 1))
    assert shapes(torch.zeros(4, 3, 1), torch.zeros(4, 3)) == ((4, 3), (4, 3))
    assert shapes(torch.zeros(4), torch.zeros(4, 1)) == ((4, 1), (4, 1))
    assert shapes(torch.zeros(4, 3), torch.zeros(4)) == ((4, 3), (4,))


def test_invalid_reduction_and_weight_shape_errors():
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`.*reduction=avg"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match=r"sample_weight.shape=\(3,\), loss values shape=\(4,\)"):
        losses.MeanSquaredError()(torch.ones(4, 2), torch.zeros(4, 2), sample_weight=np.ones(3))
    # As in Keras, (batch, time) weights do not stretch over a (batch, time, features) loss.
    with pytest.raises(ValueError, match=r"sample_weight.shape=\(6, 4\)"):
        SquaredError()(torch.ones(6, 4, 3), torch.zeros(6, 4, 3), sample_weight=np.ones((6, 4)))


def test_base_call_must_be_implemented():
    with pytest.raises(NotImplementedError, match="Loss must implement `call\\(\\)`"):
        losses.Loss()(torch.ones(2), torch.ones(2))


def _scaled_abs(y_true, y_pred, scale=1.0):
    return scale * torch.abs(y_true - y_pred).mean(dim=-1)


def test_loss_function_wrapper_config_round_trip():
    serialization.register_keras_serializable("LossTests")(_scaled_abs)
    wrapper = LossFunctionWrapper(_scaled_abs, scale=3.0, reduction="sum")
    config = wrapper.get_config()
    # Keras's form of a registered function: its registered name alone.
    assert config["fn"] == {"module": "builtins", "class_name": "function",
                            "config": "LossTests>_scaled_abs", "registered_name": "function"}
    assert (config["reduction"], config["scale"]) == ("sum", 3.0)
    assert config["name"].startswith("loss_function_wrapper")
    restored = losses.deserialize(json.loads(json.dumps(losses.serialize(wrapper))))
    assert restored.fn is _scaled_abs and restored.get_config()["scale"] == 3.0
    out = restored(torch.tensor([[1.0, 3.0]]), torch.zeros(1, 2))
    assert float(out) == pytest.approx(6.0)
    assert repr(restored).startswith("<LossFunctionWrapper(<function _scaled_abs")


def test_loss_function_wrapper_of_builtin_matches_keras_config():
    from keras.src.losses import LossFunctionWrapper as KerasWrapper

    ours = LossFunctionWrapper(losses.binary_crossentropy, from_logits=True, name="w")
    theirs = KerasWrapper(keras.losses.binary_crossentropy, from_logits=True, name="w")
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config == theirs_config  # the function's module is written as "builtins"
    assert LossFunctionWrapper.from_config(theirs_config).fn is losses.binary_crossentropy
    assert KerasWrapper.from_config(ours_config).fn is keras.losses.binary_crossentropy
