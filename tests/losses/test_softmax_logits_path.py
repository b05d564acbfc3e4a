"""Categorical crossentropies of a softmax output computed from its logits (activations/
_logits.py): the same losses and gradients as Keras's probability-space computation, clipping
included, and the probability path wherever the logits cannot reproduce it."""

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import losses

# Rows of growing scale: the last ones saturate (probabilities clipped at both ends).
SCALES = torch.tensor([1.0, 5.0, 20.0, 40.0, 200.0]).repeat_interleave(8)[:, None]


def _logits():
    return torch.randn(40, 10, generator=torch.Generator().manual_seed(0)) * SCALES


def _loss_and_grad(lib, loss_fn, labels, logits):
    z = logits.clone().requires_grad_()
    values = loss_fn(labels, lib.activations.softmax(z))
    values.sum().backward()
    return values.detach().numpy(), z.grad.numpy()


@pytest.mark.parametrize("name", ["sparse_categorical_crossentropy", "categorical_crossentropy"])
def test_softmax_output_losses_and_gradients_match_keras(name):
    logits = _logits()
    labels = torch.randint(0, 10, (40,), generator=torch.Generator().manual_seed(1))
    if name == "categorical_crossentropy":
        labels = torch.nn.functional.one_hot(labels, 10).float()
    ours = _loss_and_grad(hocsau, getattr(losses, name), labels, logits)
    theirs = _loss_and_grad(keras, getattr(keras.losses, name), labels, logits)
    assert ours[0].max() == pytest.approx(-np.log(np.float32(1e-7)), rel=1e-6)  # clipped
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5, atol=1e-6)


def test_training_outputs_carry_their_logits_and_inference_outputs_do_not():
    from hocsau.activations._logits import logits_behind

    z = _logits().requires_grad_()
    probabilities = hocsau.activations.softmax(z)
    assert logits_behind(probabilities, "softmax", -1) is z
    assert logits_behind(probabilities, "softmax", 0) is None  # another axis
    with torch.no_grad():
        assert logits_behind(hocsau.activations.softmax(z), "softmax", -1) is None
    probabilities.mul_(1.0)  # changed in place: the logits no longer describe it
    assert logits_behind(probabilities, "softmax", -1) is None


def test_in_place_edits_and_zero_epsilon_take_the_probability_path():
    logits, labels = _logits(), torch.randint(0, 10, (40,))
    edited = hocsau.activations.softmax(logits.clone().requires_grad_())
    with torch.no_grad():
        edited[:, 0] = 0.5  # not a softmax any more
    expected = losses.sparse_categorical_crossentropy(labels, edited.detach().clone())
    np.testing.assert_array_equal(
        losses.sparse_categorical_crossentropy(labels, edited).detach().numpy(),
        expected.numpy())
    old = hocsau.config.epsilon()
    hocsau.config.set_epsilon(0.0)
    try:  # Keras then takes log(0): an infinite loss, which the logits would not give
        saturated = hocsau.activations.softmax((logits * 100).requires_grad_())
        assert torch.isinf(losses.sparse_categorical_crossentropy(labels, saturated)).any()
    finally:
        hocsau.config.set_epsilon(old)


def test_fit_on_a_softmax_model_matches_keras():
    x = np.random.default_rng(0).normal(size=(64, 6)).astype("float32") * 4
    y = np.random.default_rng(1).integers(0, 3, 64)
    weights, results = None, []
    for lib in (hocsau, keras):
        model = lib.Sequential([lib.Input((6,)), lib.layers.Dense(3, activation="softmax")])
        weights = weights or model.get_weights()
        model.set_weights(weights)
        model.compile(optimizer=lib.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
        history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.get_weights()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    for ours, theirs in zip(results[0][1], results[1][1], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
