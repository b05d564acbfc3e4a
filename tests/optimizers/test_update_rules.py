"""Every optimizer's update rule against Keras 3 (torch backend): weights and slots after
several steps on the same values and gradients."""

import re

import numpy as np
import pytest
import torch
from parity import assert_close, hocsau_variables, make_case, run, run_pair

from hocsau import optimizers

CASES = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("RMSprop", {}),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.3}),
    ("Adagrad", {"learning_rate": 0.05}),
    ("Adagrad", {"initial_accumulator_value": 0.5, "epsilon": 1e-4}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-3}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.01}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adamax", {"learning_rate": 0.01}),
    ("Nadam", {"learning_rate": 0.01}),
    ("Lion", {"learning_rate": 0.01}),
    ("Lion", {"beta_1": 0.5, "beta_2": 0.9}),
    ("Ftrl", {"learning_rate": 0.1}),
    ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.7,
              "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02,
              "l2_shrinkage_regularization_strength": 0.03, "beta": 0.1}),
    ("Lamb", {"learning_rate": 0.01}),
    ("Adafactor", {}),
    ("Adafactor", {"learning_rate": 0.01, "relative_step": False, "clip_threshold": 0.5}),
    ("Muon", {"learning_rate": 0.01}),
    ("Muon", {"learning_rate": 0.01, "nesterov": False, "rms_rate": None, "ns_steps": 3,
              "exclude_layers": ["conv"], "adam_lr_ratio": 0.5}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                        enumerate(CASES)])
def test_weights_and_slots_match_keras(name, kwargs):
    ours, our_vars, theirs, their_vars = run_pair(name, kwargs)
    assert_close(our_vars, their_vars)
    # Same optimizer variables, in the same order: iteration, learning rate, slots.
    assert [tuple(v.shape) for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    assert _names(ours) == _names(theirs)
    assert_close(ours.variables[2:], theirs.variables[2:], rtol=1e-5, atol=1e-5)
    assert int(ours.iterations) == 4


def _names(optimizer):
    # Keras numbers unnamed variables globally (Nadam's "variable" may be "variable_3").
    return [re.sub(r"^variable_\d+$", "variable", v.name) for v in optimizer.variables]


def _schedule_free_reference(init, grads, lr=0.0025, b1=0.9, b2=0.999, eps=1e-8):
    """Keras's ScheduleFreeAdamW maths (as its TF and JAX backends compute it), in float32."""
    f = np.float32
    y, z, v = init.copy(), init.copy(), np.zeros_like(init)
    for t, g in enumerate(grads, 1):
        t = f(t)
        z_old = z.copy()
        v = v + (g * g - v) * (f(1) - f(b2))
        z = z - f(lr) * g / (np.sqrt(v / (f(1) - f(b2) ** t)) + f(eps))
        x = (y - (f(1) - f(b1)) * z_old) / f(b1)
        x = (f(1) - f(1) / t) * x + (f(1) / t) * z
        y = (f(1) - f(b1)) * z + f(b1) * x
    return y


def test_schedule_free_adamw_follows_keras_maths():
    # Keras's torch backend reads `momentum` after updating it in place (its old value is an
    # alias of the variable); hocsau follows the algorithm as written, which Keras's other
    # backends compute, so the reference here is that algorithm.
    inits, grads = make_case(steps=5)
    variables = hocsau_variables(inits)
    optimizer = optimizers.ScheduleFreeAdamW()
    run(optimizer, variables, grads)
    for i, (variable, init) in enumerate(zip(variables, inits.values(), strict=True)):
        expected = _schedule_free_reference(init, [g[i] for g in grads])
        np.testing.assert_allclose(variable.numpy(), expected, rtol=1e-5, atol=1e-6)
    assert [v.name for v in optimizer.variables[2:4]] == ["dense_kernel_momentum",
                                                         "dense_kernel_velocity"]


def test_schedule_free_adamw_warmup_scales_the_first_steps():
    inits, grads = make_case(steps=1)
    plain, warm = hocsau_variables(inits), hocsau_variables(inits)
    run(optimizers.ScheduleFreeAdamW(), plain, grads)
    run(optimizers.ScheduleFreeAdamW(warmup_steps=4), warm, grads)
    init, grad = inits["dense/bias"], grads[0][1]
    # The first step lands on z = w - lr * g / |g| (Adam's normalized step): lr is 1/4 of
    # 0.0025 in the first of 4 warmup steps.
    np.testing.assert_allclose(plain[1].numpy() - init, -0.0025 * np.sign(grad), atol=3e-7)
    np.testing.assert_allclose(warm[1].numpy() - init, -0.000625 * np.sign(grad), atol=3e-7)


def test_float64_variables_keep_their_dtype():
    variable = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    optimizer = optimizers.Adam(learning_rate=0.1)
    optimizer.apply([torch.full((3,), 0.5, dtype=torch.float64)], [variable])
    np.testing.assert_allclose(variable.detach().numpy(), 0.9, rtol=1e-5)
    assert [v.dtype for v in optimizer.variables[2:]] == [torch.float64] * 2
