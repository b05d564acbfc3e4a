"""Losses with special inputs: integer labels in several layouts, ignored classes, CTC sequences,
circle-loss embeddings, segmentation masks; values from Keras's documentation."""

import keras
import numpy as np
import pytest
import torch
from loss_cases import to_numpy

import hocsau
from hocsau import losses


def test_sparse_crossentropy_keras_documented_values():
    y_true = np.array([1, 2])
    y_pred = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], dtype="float32")
    assert float(losses.SparseCategoricalCrossentropy()(y_true, y_pred)) == pytest.approx(
        1.177, abs=1e-3)
    weighted = losses.SparseCategoricalCrossentropy()(y_true, y_pred,
                                                      sample_weight=np.array([0.3, 0.7]))
    assert float(weighted) == pytest.approx(0.814, abs=1e-3)
    total = losses.SparseCategoricalCrossentropy(reduction="sum")(y_true, y_pred)
    assert float(total) == pytest.approx(2.354, abs=1e-3)


@pytest.mark.parametrize("label_shape,pred_shape,axis", [
    ((5, 1), (5, 3), -1), ((5, 4), (5, 4, 3), -1), ((5, 4), (5, 3, 4), 1),
    ((5, 1, 4), (5, 3, 4), 1), ((), (3,), -1),
])
def test_sparse_crossentropy_layouts_match_keras(label_shape, pred_shape, axis):
    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 3, label_shape)
    logits = rng.standard_normal(pred_shape).astype("float32")
    for from_logits in (True, False):
        y_pred = logits if from_logits else np.exp(logits)  # unnormalized positive scores
        ours = losses.sparse_categorical_crossentropy(y_true, torch.from_numpy(y_pred),
                                                      from_logits=from_logits, axis=axis)
        theirs = keras.losses.sparse_categorical_crossentropy(
            keras.ops.convert_to_tensor(y_true), y_pred, from_logits=from_logits, axis=axis)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), to_numpy(theirs), rtol=1e-5, atol=1e-6)


def test_ignore_class_masks_entries_out_of_the_mean():
    y_true = np.array([[0, 255, 1], [255, 2, 2]])  # 255 marks padding
    logits = torch.randn(2, 3, 4)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255)
    per_entry = losses.sparse_categorical_crossentropy(y_true, logits, from_logits=True,
                                                       ignore_class=255)
    assert per_entry[0, 1] == 0 and per_entry[1, 0] == 0
    np.testing.assert_array_equal(per_entry._keras_mask.numpy(), y_true != 255)
    assert float(loss(y_true, logits)) == pytest.approx(float(per_entry.sum() / 4), rel=1e-6)
    theirs = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255)
    assert float(loss(y_true, logits)) == pytest.approx(float(theirs(y_true, logits)), rel=1e-6)


def test_sparse_crossentropy_of_image_probabilities_has_a_gradient():
    """Per-pixel softmax maps (batch, h, w, classes): torch's 2-D nll backward wants a
    contiguous input, which moving the class axis of such a map does not give."""
    torch.manual_seed(0)
    logits = torch.randn(2, 3, 3, 4, requires_grad=True)
    labels = torch.randint(0, 4, (2, 3, 3, 1))
    loss = losses.SparseCategoricalCrossentropy()(labels, torch.softmax(logits, -1))
    loss.backward()
    one_hot = torch.nn.functional.one_hot(labels[..., 0], 4).float()
    expected = (torch.softmax(logits, -1) - one_hot).detach() / 18
    np.testing.assert_allclose(logits.grad.numpy(), expected.numpy(), rtol=1e-5, atol=1e-7)
    theirs = keras.losses.SparseCategoricalCrossentropy()(labels.numpy(),
                                                          torch.softmax(logits, -1).detach())
    assert float(loss.detach()) == pytest.approx(float(theirs), rel=1e-6)


def test_ignore_class_gradients_skip_ignored_entries():
    logits = torch.randn(3, 4, requires_grad=True)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    loss(torch.tensor([2, -1, 0]), logits).backward()
    assert torch.equal(logits.grad[1], torch.zeros(4))
    assert torch.isfinite(logits.grad).all()


def test_ctc_matches_keras_and_checks_ranks():
    rng = np.random.default_rng(6)
    labels = np.array([[1, 2, 2], [3, 0, 0]])
    logits = rng.standard_normal((2, 6, 4)).astype("float32")
    ours = losses.CTC(reduction=None)(labels, logits)
    np.testing.assert_allclose(ours.numpy(), to_numpy(keras.losses.CTC(reduction=None)(
        labels, logits)), rtol=1e-5)
    assert ours.dtype == torch.float32 and ours.shape == (2,)
    with pytest.raises(ValueError, match=r"Received: y_true.shape=\(2,\)"):
        losses.ctc(np.array([1, 2]), logits)
    with pytest.raises(ValueError, match=r"Received: y_pred.shape=\(2, 6\)"):
        losses.ctc(labels, logits[..., 0])


def test_circle_with_reference_embeddings_matches_keras():
    rng = np.random.default_rng(7)
    embed = lambda n: (lambda e: e / np.linalg.norm(e, axis=-1, keepdims=True))(  # noqa: E731
        rng.standard_normal((n, 5)).astype("float32"))
    queries, refs = embed(4), embed(6)
    labels, ref_labels = np.array([0, 1, 2, 1]), np.array([1, 0, 0, 2, 1, 1])
    kwargs = dict(ref_labels=ref_labels, ref_embeddings=refs, remove_diagonal=False, gamma=30)
    ours = losses.circle(labels, torch.from_numpy(queries), **kwargs)
    theirs = keras.losses.circle(labels, queries, **kwargs)
    np.testing.assert_allclose(ours.numpy(), to_numpy(theirs), rtol=1e-5)


def test_circle_without_positives_is_zero_and_masked():
    # Every label is unique, so no query has a positive: loss 0, masked out, mean 0.
    embeddings = torch.eye(3)
    per_sample = losses.circle(torch.tensor([0, 1, 2]), embeddings)
    assert per_sample.tolist() == [0.0, 0.0, 0.0]
    assert not per_sample._keras_mask.any()
    assert float(losses.Circle()(torch.tensor([0, 1, 2]), embeddings)) == 0.0


def test_dice_keras_documented_values():
    y_true = [[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]]
    y_pred = [[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]]
    per_sample = losses.Dice(axis=(1, 2, 3), reduction=None)(y_true, y_pred)
    np.testing.assert_allclose(per_sample.numpy(), [0.5, 0.75757575], rtol=1e-6)
    assert float(losses.Dice()(y_true, y_pred)) == pytest.approx(0.6164384, rel=1e-6)


def test_generalized_cross_entropy_hand_computed():
    y_true = np.array([0, 1, 0, 1])
    y_pred = np.array([[0.7, 0.3], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]], dtype="float32")
    p = np.array([0.7, 0.8, 0.6, 0.6])
    expected = ((1 - p**0.5) / 0.5).mean()
    out = losses.CategoricalGeneralizedCrossEntropy()(y_true, y_pred)
    assert float(out) == pytest.approx(expected, rel=1e-6)


def test_sparse_labels_out_of_range_name_the_valid_range():
    probs = torch.full((4, 3), 1 / 3)
    for bad in (3, -1):
        labels = torch.tensor([0, 1, bad, 2])
        with pytest.raises(ValueError, match=r"valid range \[0, 3\).*Received: label values "
                                             rf"\[{bad}\]"):
            hocsau.losses.sparse_categorical_crossentropy(labels, probs)


def test_fit_with_an_out_of_range_label_says_so():
    model = hocsau.Sequential([hocsau.Input((2,)), hocsau.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"integer labels must be 0 to 2.*\[5\]"):
        model.fit(np.ones((4, 2), "float32"), np.array([0, 1, 5, 2]), verbose=0)


def test_one_hot_labels_given_to_a_sparse_loss_get_a_hint():
    with pytest.raises(ValueError, match="look one-hot: use categorical_crossentropy"):
        hocsau.losses.sparse_categorical_crossentropy(torch.eye(3), torch.full((3, 3), 1 / 3))
