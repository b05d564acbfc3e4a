import numpy as np
import pytest
import torch
from ops_parity import F3, POS, F, assert_close, assert_like_keras

from hocsau import config, ops

LABELS = (F > 0).astype("float32")
PROBS = (1 / (1 + np.exp(-F))).astype("float32")
ONE_HOT = np.eye(4, dtype="float32")[[0, 1, 3]]
CLASSES = np.array([0, 1, 3])


@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_crossentropy(from_logits):
    output = F if from_logits else PROBS
    out = ops.binary_crossentropy(LABELS, output, from_logits=from_logits)
    assert_close(out, -(LABELS * np.log(PROBS) + (1 - LABELS) * np.log(1 - PROBS)), rtol=1e-4)
    assert_like_keras(out, "binary_crossentropy", LABELS, output, from_logits=from_logits)


def test_binary_crossentropy_clips_saturated_probabilities():
    out = ops.binary_crossentropy(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    assert_close(out, [-np.log(config.epsilon())] * 2, rtol=1e-3)
    with pytest.raises(ValueError, match="same shape"):
        ops.binary_crossentropy(LABELS, PROBS[:2])


@pytest.mark.parametrize("from_logits", [False, True])
def test_categorical_crossentropies(from_logits):
    output = F if from_logits else POS
    expected = -np.sum(ONE_HOT * np.log(np.exp(F) / np.exp(F).sum(1, keepdims=True)), 1)
    out = ops.categorical_crossentropy(ONE_HOT, output, from_logits=from_logits)
    if from_logits:
        assert_close(out, expected, rtol=1e-5)
    assert_like_keras(out, "categorical_crossentropy", ONE_HOT, output, from_logits=from_logits)
    sparse = ops.sparse_categorical_crossentropy(CLASSES, output, from_logits=from_logits)
    assert_close(sparse, out, rtol=1e-5)
    assert_like_keras(sparse, "sparse_categorical_crossentropy", CLASSES, output,
                      from_logits=from_logits)


def test_sparse_categorical_crossentropy_axis_and_shapes():
    scores = F3.transpose(0, 2, 1)
    targets = np.array([[0, 1, 3], [1, 1, 2]])
    out = ops.sparse_categorical_crossentropy(targets, scores, from_logits=True, axis=1)
    assert_like_keras(out, "sparse_categorical_crossentropy", targets, scores, from_logits=True,
                      axis=1)
    assert out.shape == (2, 3)
    single = ops.sparse_categorical_crossentropy(np.array([2]), F[0], from_logits=True)
    assert single.shape == ()
    assert_close(ops.sparse_categorical_crossentropy(CLASSES[:, None], F, from_logits=True),
                 ops.sparse_categorical_crossentropy(CLASSES, F, from_logits=True))
    with pytest.raises(ValueError, match="up until the last dimension"):
        ops.sparse_categorical_crossentropy(np.array([0, 1]), F)


def test_ctc_loss_matches_keras():
    logits = np.random.default_rng(3).normal(size=(2, 6, 4)).astype("float32")
    target, target_length = np.array([[1, 2, 0], [3, 3, 0]]), np.array([2, 2])
    output_length = np.array([6, 5])
    out = ops.ctc_loss(target, logits, target_length, output_length)
    assert_like_keras(out, "ctc_loss", target, logits, target_length, output_length, rtol=1e-5)
    assert out.dtype == torch.float32


def test_psnr():
    out = ops.psnr(POS, POS * 1.1, 2.0)
    mse = np.mean((POS * 0.1) ** 2)
    assert out.item() == pytest.approx(20 * np.log10(2.0) - 10 * np.log10(mse), rel=1e-5)
    with pytest.raises(ValueError, match="must match"):
        ops.psnr(POS, POS[:1], 1.0)
