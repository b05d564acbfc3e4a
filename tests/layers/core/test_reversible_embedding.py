"""ReversibleEmbedding against Keras 3: both directions, tied and untied weights, reverse dtype,
soft-capped logits, masks, config and argument errors."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")

IDS = np.array([[1, 5, 0, 3], [9, 0, 0, 2]], dtype="int32")
VECTORS = np.random.default_rng(0).normal(size=(2, 4, 6)).astype("float32")


@pytest.mark.parametrize("kwargs", [
    {}, {"tie_weights": False}, {"logit_soft_cap": 0.5},
    {"tie_weights": False, "reverse_dtype": "float64", "mask_zero": True},
])
def test_parity_both_directions(kwargs):
    theirs = keras.layers.ReversibleEmbedding(10, 6, **kwargs)
    theirs(IDS)
    weights = [w + np.cos(np.arange(w.size)).reshape(w.shape).astype("float32")
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours = layers.ReversibleEmbedding(10, 6, **kwargs)
    ours(torch.from_numpy(IDS))
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == \
        [(w.name, w.shape) for w in theirs.weights]
    ours.set_weights(weights)
    np.testing.assert_allclose(ours(torch.from_numpy(IDS)).detach().numpy(),
                               keras.ops.convert_to_numpy(theirs(IDS)), rtol=1e-6)
    logits = ours(torch.from_numpy(VECTORS), reverse=True)
    expected = keras.ops.convert_to_numpy(theirs(VECTORS, reverse=True))
    assert logits.dtype == (torch.float64 if "reverse_dtype" in kwargs else torch.float32)
    np.testing.assert_allclose(logits.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    if "logit_soft_cap" in kwargs:
        assert logits.abs().max().item() < 0.5
    assert ours.get_config() == {**theirs.get_config(), "name": ours.name}


def test_masks_and_shapes():
    layer = layers.ReversibleEmbedding(10, 6, mask_zero=True)
    out = layer(torch.from_numpy(IDS))
    np.testing.assert_array_equal(out._keras_mask.numpy(), IDS != 0)
    logits = layer(out, reverse=True)
    assert tuple(logits.shape) == (2, 4, 10)
    assert getattr(logits, "_keras_mask", None) is None
    assert layer.compute_output_shape((2, 4)) == (2, 4, 6)
    assert layer.compute_output_shape((2, 4, 6), reverse=True) == (2, 4, 10)


def test_language_model_head_in_a_model():
    ids = hocsau.Input((4,), dtype="int32")
    table = layers.ReversibleEmbedding(10, 6, tie_weights=False)
    logits = table(layers.Dense(6)(table(ids)), reverse=True)
    model = hocsau.Model(ids, logits)
    assert tuple(logits.shape) == (None, 4, 10)
    assert model.count_params() == 10 * 6 * 2 + 6 * 6 + 6
    run_layer_test(layers.ReversibleEmbedding, {"input_dim": 10, "output_dim": 3},
                   input_data=IDS, expected_output_shape=(2, 4, 3),
                   expected_num_trainable_weights=1, run_training_check=True)
    run_layer_test(layers.ReversibleEmbedding, {"input_dim": 10, "output_dim": 6,
                                                "tie_weights": False},
                   input_data=VECTORS, call_kwargs={"reverse": True},
                   expected_output_shape=(2, 4, 10), expected_num_trainable_weights=2)


def test_argument_errors():
    with pytest.raises(ValueError, match="logit_soft_cap=-1"):
        layers.ReversibleEmbedding(10, 6, logit_soft_cap=-1)
    with pytest.raises(ValueError, match="dtype"):
        layers.ReversibleEmbedding(10, 6, reverse_dtype="float7")
    with pytest.raises(ValueError, match="output_dim=0"):
        layers.ReversibleEmbedding(10, 0)
