"""Loss functions against Keras 3 on the same inputs, plus hand-computed values and edge cases."""

import keras
import numpy as np
import pytest
import torch
from loss_cases import CASES, case_id, make_batch, to_numpy

from hocsau import losses


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_function_matches_keras(case):
    name, _, kind, kwargs = case
    y_true, y_pred = make_batch(kind, np.random.default_rng(1))
    ours = getattr(losses, name)(torch.from_numpy(y_true), torch.from_numpy(y_pred), **kwargs)
    convert = keras.ops.convert_to_tensor
    theirs = getattr(keras.losses, name)(convert(y_true), convert(y_pred), **kwargs)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(to_numpy(ours), to_numpy(theirs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["mean_squared_error", "binary_crossentropy", "hinge"])
def test_function_accepts_numpy_and_casts_labels(name):
    y_true = np.array([[0, 1, 1], [1, 0, 0]])  # integer labels
    y_pred = np.array([[0.2, 0.7, 0.9], [0.6, 0.1, 0.3]], dtype="float32")
    ours = getattr(losses, name)(y_true, y_pred)
    assert ours.dtype == torch.float32
    np.testing.assert_allclose(ours.numpy(), to_numpy(getattr(keras.losses, name)(y_true, y_pred)),
                               rtol=1e-5)


@pytest.mark.parametrize("name", ["binary_crossentropy", "binary_focal_crossentropy",
                                  "categorical_crossentropy", "categorical_focal_crossentropy",
                                  "kl_divergence", "poisson"])
def test_extreme_probabilities_are_finite_and_match_keras(name):
    y_true = np.array([[1, 0, 0, 1], [0, 1, 0, 0]], dtype="float32")
    y_pred = np.array([[0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]], dtype="float32")
    ours = getattr(losses, name)(torch.from_numpy(y_true), torch.from_numpy(y_pred))
    assert torch.isfinite(ours).all()
    np.testing.assert_allclose(ours.numpy(), to_numpy(getattr(keras.losses, name)(y_true, y_pred)),
                               rtol=1e-5)


def test_sparse_extreme_probabilities_and_large_logits():
    y_true = np.array([0, 1, 2])
    y_pred = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype="float32")
    ours = losses.sparse_categorical_crossentropy(y_true, torch.from_numpy(y_pred))
    # Clipping to [1e-7, 1 - 1e-7]: -log(1 - 1e-7) in float32 is 1.19e-7, -log(1e-7) is 16.12.
    np.testing.assert_allclose(ours.numpy(), [1.1920929e-07, 16.118095, 1.1920929e-07], rtol=1e-5)
    keras_out = keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
    np.testing.assert_allclose(ours.numpy(), to_numpy(keras_out), rtol=1e-5)
    logits = torch.tensor([[1000.0, -1000.0, 0.0]]).repeat(3, 1)
    from_logits = losses.sparse_categorical_crossentropy(y_true, logits, from_logits=True)
    np.testing.assert_allclose(from_logits.numpy(), [0.0, 2000.0, 1000.0])


def test_binary_crossentropy_large_logits_are_stable():
    y_true = torch.tensor([[1.0, 0.0, 1.0]])
    logits = torch.tensor([[200.0, 200.0, -200.0]])
    out = losses.binary_crossentropy(y_true, logits, from_logits=True)
    np.testing.assert_allclose(out.numpy(), [400.0 / 3], rtol=1e-6)


def test_hand_computed_values():
    y_true = torch.tensor([[0.0, 1.0], [0.0, 0.0]])
    y_pred = torch.tensor([[1.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(losses.mean_squared_error(y_true, y_pred).numpy(), [0.5, 0.5])
    np.testing.assert_allclose(losses.mean_absolute_error(y_true, y_pred).numpy(), [0.5, 0.5])
    bce = losses.binary_crossentropy(torch.tensor([[1.0]]), torch.tensor([[0.8]]))
    np.testing.assert_allclose(bce.numpy(), [-np.log(0.8)], rtol=1e-6)
    # Huber with delta 1: error 0.5 -> 0.125 (quadratic), error 3 -> 2.5 (linear).
    huber = losses.huber(torch.tensor([[0.0, 0.0]]), torch.tensor([[0.5, 3.0]]))
    np.testing.assert_allclose(huber.numpy(), [(0.125 + 2.5) / 2])
    # 0/1 labels become -1/1: max(1 - 1 * 0.3, 0) = 0.7 and max(1 + 0.4, 0) = 1.4.
    hinge = losses.hinge(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.3, 0.4]]))
    np.testing.assert_allclose(hinge.numpy(), [(0.7 + 1.4) / 2], rtol=1e-6)
    cosine = losses.cosine_similarity(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 1.0]]))
    np.testing.assert_allclose(cosine.numpy(), [-np.sqrt(0.5)], rtol=1e-6)


def test_label_smoothing_hand_computed():
    # Binary smoothing 0.2: label 1 -> 0.9; categorical smoothing 0.3 over 3 classes:
    # one-hot [0, 1, 0] -> [0.1, 0.8, 0.1].
    bce = losses.binary_crossentropy(torch.tensor([[1.0]]), torch.tensor([[0.6]]),
                                     label_smoothing=0.2)
    np.testing.assert_allclose(bce.numpy(), [-(0.9 * np.log(0.6) + 0.1 * np.log(0.4))],
                               rtol=1e-6)
    probs = np.array([0.2, 0.5, 0.3])
    cce = losses.categorical_crossentropy(torch.tensor([[0.0, 1.0, 0.0]]),
                                          torch.tensor(probs[None], dtype=torch.float32),
                                          label_smoothing=0.3)
    np.testing.assert_allclose(cce.numpy(), [-(np.array([0.1, 0.8, 0.1]) * np.log(probs)).sum()],
                               rtol=1e-6)


def test_categorical_crossentropy_normalizes_probabilities():
    # Unnormalized scores are divided by their sum first: [2, 6] acts as [0.25, 0.75].
    out = losses.categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[2.0, 6.0]]))
    np.testing.assert_allclose(out.numpy(), [-np.log(0.75)], rtol=1e-6)


def test_shape_mismatch_errors_speak_keras():
    with pytest.raises(ValueError, match="must have the same shape"):
        losses.binary_crossentropy(torch.zeros(4, 2), torch.zeros(4, 3))
    with pytest.raises(ValueError, match="must have the same shape"):
        losses.categorical_crossentropy(torch.zeros(4, 2), torch.zeros(4, 3))
    with pytest.raises(ValueError, match="up until the last dimension"):
        losses.sparse_categorical_crossentropy(torch.zeros(5), torch.zeros(4, 3))
    with pytest.raises(ValueError, match="`axis` must be of type `int`"):
        losses.categorical_crossentropy(torch.zeros(4, 2), torch.zeros(4, 2), axis=True)


def test_single_class_categorical_warns():
    with pytest.warns(SyntaxWarning, match="num_classes > 1"):
        out = losses.categorical_crossentropy(torch.ones(3, 1), torch.ones(3, 1))
    assert out.shape == (3,)


def test_gradients_are_finite_at_clipped_probabilities():
    y_true = np.array([[1.0, 0.0], [1.0, 0.0]], dtype="float32")
    y_pred = torch.tensor([[0.0, 1.0], [1.0, 0.0]], requires_grad=True)
    loss = losses.binary_crossentropy(torch.from_numpy(y_true), y_pred).sum()
    loss.backward()
    assert torch.isfinite(y_pred.grad).all()
    expected = keras.losses.binary_crossentropy(y_true, y_pred.detach().numpy()).sum()
    assert float(loss.detach()) == pytest.approx(float(expected), rel=1e-6)
