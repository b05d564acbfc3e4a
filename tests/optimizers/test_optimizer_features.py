"""Base optimizer features against Keras 3: clipping, weight decay, EMA, gradient
accumulation, loss scale factor, missing gradients, constraints; argument checks."""

import keras
import numpy as np
import pytest
import torch
from parity import (
    assert_close,
    hocsau_variables,
    keras_variables,
    make_case,
    run,
    run_pair,
)

from hocsau import optimizers

FEATURES = [
    ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
    ("Adam", {"learning_rate": 0.1, "global_clipnorm": 1.0}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "clipvalue": 0.3}),
    ("SGD", {"learning_rate": 0.1, "weight_decay": 0.2}),
    ("Adam", {"learning_rate": 0.01, "weight_decay": 0.5}),
    ("RMSprop", {"use_ema": True}),
    ("SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.5,
             "ema_overwrite_frequency": 2}),
    ("Adam", {"learning_rate": 0.01, "gradient_accumulation_steps": 3}),
    ("SGD", {"learning_rate": 0.1, "gradient_accumulation_steps": 2, "use_ema": True,
             "ema_overwrite_frequency": 2, "momentum": 0.9}),
    ("Adam", {"learning_rate": 0.01, "loss_scale_factor": 8.0, "clipnorm": 1.0}),
    ("Nadam", {"learning_rate": 0.01, "gradient_accumulation_steps": 2}),
]


@pytest.mark.parametrize(("name", "kwargs"), FEATURES,
                         ids=[f"{n}-{'-'.join(k)}" for n, k in FEATURES])
def test_feature_matches_keras(name, kwargs):
    ours, our_vars, theirs, their_vars = run_pair(name, kwargs, steps=6)
    assert_close(our_vars, their_vars)
    assert_close(ours.variables, theirs.variables, atol=1e-5)
    np.testing.assert_array_equal(ours.iterations.numpy(), keras.ops.convert_to_numpy(
        theirs.iterations))


def test_clipping_leaves_the_callers_gradients_alone():
    grad = torch.full((4,), 3.0)
    optimizers.SGD(clipvalue=1.0).apply([grad], [torch.nn.Parameter(torch.zeros(4))])
    np.testing.assert_array_equal(grad.numpy(), 3.0)


@pytest.mark.parametrize("by", ["names", "list"])
def test_exclude_from_weight_decay_matches_keras(by):
    inits, grads = make_case()
    ours, theirs = hocsau_variables(inits), keras_variables(inits)
    hocsau_opt = optimizers.AdamW(learning_rate=0.1, weight_decay=0.3)
    keras_opt = keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.3)
    if by == "names":
        hocsau_opt.exclude_from_weight_decay(var_names=["bias"])
        keras_opt.exclude_from_weight_decay(var_names=["bias"])
    else:
        hocsau_opt.exclude_from_weight_decay(var_list=ours[:1])
        keras_opt.exclude_from_weight_decay(var_list=theirs[:1])
    run(hocsau_opt, ours, grads)
    run(keras_opt, theirs, grads)
    assert_close(ours, theirs)


def test_finalize_variable_values_swaps_in_the_moving_average():
    inits, grads = make_case()
    ours, theirs = hocsau_variables(inits), keras_variables(inits)
    hocsau_opt = optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.9)
    keras_opt = keras.optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.9)
    run(hocsau_opt, ours, grads)
    run(keras_opt, theirs, grads)
    hocsau_opt.finalize_variable_values(ours)
    keras_opt.finalize_variable_values(theirs)
    assert_close(ours, theirs)
    with pytest.raises(ValueError, match=r"length of model variables \(1\)"):
        hocsau_opt.finalize_variable_values(ours[:1])


def test_missing_gradients_are_skipped_with_keras_warning():
    inits, grads = make_case(steps=3)
    grads = [[g[0], None, g[2]] for g in grads]
    ours, theirs = hocsau_variables(inits), keras_variables(inits)
    hocsau_opt, keras_opt = optimizers.Adam(learning_rate=0.1), keras.optimizers.Adam(0.1)
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['dense/bias'\]"):
        run(hocsau_opt, ours, grads)
    with pytest.warns(UserWarning):
        run(keras_opt, theirs, grads)
    assert_close(ours, theirs)
    np.testing.assert_array_equal(ours[1].numpy(), inits["dense/bias"])


def test_no_gradient_at_all_is_an_error():
    with pytest.raises(ValueError, match="No gradients provided for any variable."):
        optimizers.SGD().apply([None], [torch.nn.Parameter(torch.zeros(2))])


def test_unknown_variable_and_unbuilt_errors():
    optimizer = optimizers.SGD()
    with pytest.raises(ValueError, match="must already be built"):
        optimizer.apply([torch.ones(2)])
    known = torch.nn.Parameter(torch.zeros(2))
    optimizer.apply([torch.ones(2)], [known])
    with pytest.raises(ValueError, match="Unknown variable"):
        optimizer.apply([torch.ones(2)], [torch.nn.Parameter(torch.zeros(2))])
    with pytest.raises(ValueError, match="Received a list of 2 gradients"):
        optimizer.apply([torch.ones(2), torch.ones(2)])
    optimizer.apply([torch.ones(2)])  # grads follow the built variables
    np.testing.assert_allclose(known.detach().numpy(), -0.02, rtol=1e-6)


def test_constraints_apply_after_the_update():
    variable = hocsau_variables({"dense/kernel": np.array([0.05, 1.0], "float32")})[0]
    variable.constraint = lambda w: torch.clamp_min(w, 0.0)
    optimizers.SGD(learning_rate=0.1).apply([torch.tensor([1.0, 1.0])], [variable])
    np.testing.assert_allclose(variable.numpy(), [0.0, 0.9], rtol=1e-6)


def test_iterations_and_variable_paths():
    inits, grads = make_case(steps=5)
    ours, theirs = hocsau_variables(inits), keras_variables(inits)
    hocsau_opt = optimizers.Adam(name="opt", gradient_accumulation_steps=2)
    keras_opt = keras.optimizers.Adam(name="opt", gradient_accumulation_steps=2)
    run(hocsau_opt, ours, grads)
    run(keras_opt, theirs, grads)
    assert [v.path for v in hocsau_opt.variables] == [v.path for v in keras_opt.variables]
    assert int(hocsau_opt.iterations) == 2  # optimizer updates
    assert int(hocsau_opt._iterations) == 5  # applied steps
    assert hocsau_opt._iterations.dtype == torch.int64
    assert not hocsau_opt._iterations.trainable


def test_iterations_assigned_from_outside_are_followed():
    inits, grads = make_case(steps=4)
    variables = hocsau_variables(inits)
    optimizer = optimizers.SGD(learning_rate=0.1, gradient_accumulation_steps=2)
    run(optimizer, variables, grads[:1])
    optimizer._iterations.assign(3)  # the next step completes an accumulation
    before = variables[1].numpy()
    run(optimizer, variables, grads[1:2])
    expected = before - 0.1 * (grads[0][1] + grads[1][1]) / 2
    np.testing.assert_allclose(variables[1].numpy(), expected, rtol=1e-6)


def test_scale_loss():
    assert optimizers.SGD(loss_scale_factor=4.0).scale_loss(torch.tensor(2.0)).item() == 8.0
    assert optimizers.SGD().scale_loss(torch.tensor(2.0)).item() == 2.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"clipnorm": 1.0, "clipvalue": 1.0}, "Only one of `clipnorm`, `clipvalue`"),
    ({"use_ema": True, "ema_momentum": 1.5}, r"`ema_momentum` must be in the range \[0, 1\]"),
    ({"use_ema": True, "ema_overwrite_frequency": 0.5}, "`ema_overwrite_frequency` must be"),
    ({"gradient_accumulation_steps": 1}, "`gradient_accumulation_steps` must be an integer >= 2"),
    ({"foo": 1}, r"Argument\(s\) not recognized: \{'foo': 1\}"),
    ({"learning_rate": 1}, "Argument `learning_rate` should be float"),
])
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optimizers.SGD(**kwargs)


@pytest.mark.parametrize(("name", "kwargs", "message"), [
    ("SGD", {"momentum": 1.5}, r"`momentum` must be a float between \[0, 1\]"),
    ("AdamW", {"weight_decay": None}, "Argument `weight_decay` must be a float"),
    ("Lion", {"beta_1": 0.0}, "Argument `beta_1` must be in the"),
    ("Ftrl", {"learning_rate_power": 0.5}, "`learning_rate_power` needs to be negative"),
    ("Ftrl", {"l1_regularization_strength": -1.0}, "`l1_regularization_strength` needs to be"),
])
def test_optimizer_argument_errors(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        getattr(optimizers, name)(**kwargs)


def test_decay_argument_is_ignored_with_a_warning():
    with pytest.warns(UserWarning, match="Argument `decay` is no longer supported"):
        optimizer = optimizers.SGD(decay=0.1)
    assert "decay" not in optimizer.get_config()


def test_set_weights_and_saved_variables_round_trip():
    inits, grads = make_case()
    source = optimizers.Adam()
    run(source, hocsau_variables(inits), grads)
    store = {}
    source.save_own_variables(store)
    target = optimizers.Adam()
    target.build(hocsau_variables(inits))
    target.load_own_variables(store)
    assert_close(target.variables, source.variables, rtol=0, atol=0)
    fresh = optimizers.Adam()
    fresh.build(hocsau_variables(inits))
    fresh.set_weights([v.numpy() for v in source.variables])
    assert int(fresh.iterations) == 4
    with pytest.raises(ValueError, match="has shape"):
        fresh.set_weights([np.zeros(3)])
    with pytest.warns(UserWarning, match="has 2 variables whereas the saved optimizer has 8"):
        optimizers.Adam().load_own_variables(store)


class _HalvingMomentum(optimizers.Optimizer):
    """A custom optimizer written against Keras's subclassing API."""

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        m = self.momentums[self._get_variable_index(variable)]
        self.assign(m, 0.5 * m + gradient)
        self.assign_sub(variable, learning_rate * m)


def test_custom_optimizer_with_keras_style_update_step():
    variable = hocsau_variables({"dense/bias": np.zeros(2, "float32")})[0]
    optimizer = _HalvingMomentum(learning_rate=0.1, name="halving")
    for _ in range(2):
        optimizer.apply([torch.tensor([1.0, -2.0])], [variable])
    # m: 1, 1.5 times the gradient; w = -0.1 * (1 + 1.5) * g
    np.testing.assert_allclose(variable.numpy(), [-0.25, 0.5], rtol=1e-6)
    assert optimizer.variables[2].path == "halving/dense_bias_momentum"


def test_base_optimizer_needs_an_update_rule():
    optimizer = optimizers.Optimizer(learning_rate=0.1)
    with pytest.raises(NotImplementedError, match="must implement `update_step"):
        optimizer.apply([torch.ones(2)], [torch.nn.Parameter(torch.zeros(2))])


@pytest.mark.parametrize("name", ["Adam", "SGD", "RMSprop", "Nadam", "Lion"])
def test_float16_variables_update_in_float16(name):
    half = torch.nn.Parameter(torch.ones(4, dtype=torch.float16))
    full = torch.nn.Parameter(torch.ones(4))
    grads = torch.tensor([0.5, -1.0, 2.0, 0.1])
    for optimizer, variable in ((getattr(optimizers, name)(), half),
                                (getattr(optimizers, name)(), full)):
        for _ in range(3):
            optimizer.apply([grads.to(variable.dtype)], [variable])
        assert all(v.dtype == variable.dtype for v in optimizer.variables[2:])
    assert half.dtype == torch.float16
    np.testing.assert_allclose(half.detach().float().numpy(), full.detach().numpy(), atol=2e-3)
