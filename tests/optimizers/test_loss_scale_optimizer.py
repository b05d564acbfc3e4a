"""`LossScaleOptimizer` against Keras 3: skipped steps, scale updates, variables, config."""

import keras
import numpy as np
import pytest
import torch
from parity import assert_close, hocsau_variables, keras_variables, make_case, run

from hocsau import optimizers


def _grads_with_overflows():
    _, grads = make_case(steps=7)
    grads = [[g * 1024 for g in step] for step in grads]
    grads[2][0] = grads[2][0].copy()
    grads[2][0][0, 0] = np.inf
    grads[4][1] = grads[4][1].copy()
    grads[4][1][1] = np.nan
    return grads


@pytest.mark.parametrize(("inner", "kwargs"), [
    ("Adam", {"learning_rate": 0.01}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "use_ema": True}),
])
def test_matches_keras_through_overflows(inner, kwargs):
    inits, _ = make_case()
    grads = _grads_with_overflows()
    ours, theirs = hocsau_variables(inits), keras_variables(inits)
    hocsau_opt = optimizers.LossScaleOptimizer(getattr(optimizers, inner)(**kwargs),
                                               initial_scale=1024.0, dynamic_growth_steps=2)
    keras_opt = keras.optimizers.LossScaleOptimizer(getattr(keras.optimizers, inner)(**kwargs),
                                                    initial_scale=1024.0,
                                                    dynamic_growth_steps=2)
    scales = []
    for step_grads in grads:
        run(hocsau_opt, ours, [step_grads])
        run(keras_opt, theirs, [step_grads])
        scales.append(float(hocsau_opt.dynamic_scale))
        assert scales[-1] == float(keras_opt.dynamic_scale.numpy())
    assert scales == [1024.0, 2048.0, 1024.0, 1024.0, 512.0, 512.0, 1024.0]
    assert_close(ours, theirs)
    assert [v.name for v in hocsau_opt.variables] == [v.name for v in keras_opt.variables]
    assert_close(hocsau_opt.variables, keras_opt.variables, atol=1e-5)
    assert int(hocsau_opt.iterations) == 5  # two steps skipped


def test_skipped_step_leaves_everything_unchanged():
    variable = torch.nn.Parameter(torch.ones(2))
    optimizer = optimizers.LossScaleOptimizer(optimizers.Adam(), initial_scale=8.0)
    optimizer.apply([torch.tensor([1.0, 2.0])], [variable])
    before = [v.numpy() for v in optimizer.variables[4:]], variable.detach().clone()
    optimizer.apply([torch.tensor([float("nan"), 2.0])], [variable])
    for saved, now in zip(before[0], optimizer.variables[4:], strict=True):
        np.testing.assert_array_equal(saved, now.numpy())
    np.testing.assert_array_equal(before[1].numpy(), variable.detach().numpy())
    assert float(optimizer.dynamic_scale) == 4.0


def test_all_gradients_missing_is_reported_by_the_inner_optimizer():
    optimizer = optimizers.LossScaleOptimizer(optimizers.SGD())
    with pytest.raises(ValueError, match="No gradients provided for any variable."):
        optimizer.apply([None], [torch.nn.Parameter(torch.zeros(2))])


def test_scale_loss_and_delegation():
    inner = optimizers.SGD(learning_rate=0.5, loss_scale_factor=3.0)
    optimizer = optimizers.LossScaleOptimizer(inner, initial_scale=4.0)
    assert inner.loss_scale_factor is None
    assert optimizer.scale_loss(torch.tensor(2.0)).item() == 8.0
    np.testing.assert_allclose(float(optimizer.learning_rate), 0.5)
    optimizer.learning_rate = 0.25
    np.testing.assert_allclose(float(inner.learning_rate), 0.25)
    variable = torch.nn.Parameter(torch.zeros(1))
    optimizer.apply([torch.tensor([4.0])], [variable])  # unscaled gradient: 1
    np.testing.assert_allclose(variable.detach().numpy(), [-0.25])
    assert optimizer.iterations is inner.iterations


def test_config_matches_keras_and_round_trips():
    ours = optimizers.LossScaleOptimizer(optimizers.Adam(name="adam"), name="lso",
                                         dynamic_growth_steps=10)
    theirs = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(name="adam"),
                                                 name="lso", dynamic_growth_steps=10)
    config = ours.get_config()
    assert config["initial_scale"] == 32768.0 and config["dynamic_growth_steps"] == 10
    assert config["inner_optimizer"]["config"] == theirs.get_config()["inner_optimizer"]["config"]
    restored = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert isinstance(restored.inner_optimizer, optimizers.Adam)
    assert restored.get_config() == config


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"dynamic": False}, "no longer supports `dynamic=False`"),
    ({"clipnorm": 1.0}, "does not support `clipnorm`"),
    ({"foo": 1}, "does not support arguments: `foo`"),
])
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optimizers.LossScaleOptimizer(optimizers.SGD(), **kwargs)
    optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=None, use_ema=False)


def test_unscale_flags_non_finite_over_mixed_dtypes_and_missing_gradients():
    optimizer = optimizers.LossScaleOptimizer(optimizers.SGD(), initial_scale=1000.0)
    variables = [torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(1)),
                 torch.nn.Parameter(torch.zeros(1, dtype=torch.float16))]
    optimizer.build(variables)
    grads = [torch.tensor([3.0, 10.0]), None, torch.tensor([500.0], dtype=torch.float16)]
    unscaled, finite = optimizer._unscale(grads)
    assert bool(finite) and unscaled[1] is None and unscaled[2].dtype == torch.float16
    # Divided, as Keras divides (not multiplied by a rounded 1/scale); inputs left as they were.
    assert torch.equal(unscaled[0], torch.tensor([3.0, 10.0]) / 1000.0)
    assert grads[0].tolist() == [3.0, 10.0]
    assert unscaled[2].tolist() == [0.5]
    grads[2] = torch.tensor([float("inf")], dtype=torch.float16)
    assert not bool(optimizer._unscale(grads)[1])
    assert optimizer.inner_optimizer._counter_on_device_only


def test_undo_buffers_are_kept_across_steps_but_not_copied():
    import copy

    optimizer = optimizers.LossScaleOptimizer(optimizers.Adam(), initial_scale=4.0)
    variable = torch.nn.Parameter(torch.ones(3))
    optimizer.apply([torch.ones(3)], [variable])
    buffers = [b.data_ptr() for b in optimizer._saved]
    optimizer.apply([torch.tensor([1.0, float("inf"), 0.0])], [variable])  # skipped
    assert [b.data_ptr() for b in optimizer._saved] == buffers and len(buffers) == 5
    np.testing.assert_allclose(optimizer._saved[0].numpy(), variable.detach().numpy())
    assert copy.deepcopy(optimizer)._saved == []
