"""Attention and AdditiveAttention against Keras 3: scores, masks, causal masks, configs."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")

rng = np.random.default_rng(0)
Q = rng.normal(size=(2, 3, 4)).astype("float32")
V = rng.normal(size=(2, 5, 4)).astype("float32")
K = rng.normal(size=(2, 5, 4)).astype("float32")
Q_MASK = np.array([[True, True, False], [True, False, True]])
V_MASK = np.array([[True, True, True, False, False], [True, False, True, True, True]])


def parity(name, kwargs, data, **call_kwargs):
    theirs = getattr(keras.layers, name)(**kwargs)
    expected = theirs(data, **call_kwargs)
    ours = getattr(layers, name)(**kwargs)
    tensors = [torch.from_numpy(d) for d in data]
    torch_kwargs = {k: [torch.from_numpy(m) for m in v] if k == "mask" else v
                    for k, v in call_kwargs.items()}
    ours(tensors, **torch_kwargs)
    weights = theirs.get_weights()
    if weights:  # non-default scales so that they matter
        weights = [w + 0.3 * np.arange(w.size, dtype="float32").reshape(w.shape) for w in weights]
        theirs.set_weights(weights)
        expected = theirs(data, **call_kwargs)
    ours.set_weights(weights)
    actual = ours(tensors, **torch_kwargs)
    pairs = zip(actual, expected, strict=True) if isinstance(actual, tuple) else [
        (actual, expected)]
    for a, e in pairs:
        np.testing.assert_allclose(a.detach().numpy(), keras.ops.convert_to_numpy(e),
                                   rtol=1e-5, atol=1e-6)
    assert set(ours.get_config()) == set(theirs.get_config())
    return ours


@pytest.mark.parametrize("name, kwargs", [
    ("Attention", {}), ("Attention", {"use_scale": True}),
    ("Attention", {"score_mode": "concat"}),
    ("Attention", {"score_mode": "concat", "use_scale": True}),
    ("AdditiveAttention", {}), ("AdditiveAttention", {"use_scale": False}),
])
@pytest.mark.parametrize("call", [
    {}, {"return_attention_scores": True}, {"use_causal_mask": True},
    {"mask": [Q_MASK, V_MASK]}, {"mask": [Q_MASK, V_MASK], "use_causal_mask": True,
                                 "return_attention_scores": True},
])
def test_parity_with_keras(name, kwargs, call):
    data = [Q, V, K] if "mask" not in call else [Q, V]
    parity(name, kwargs, data, **call)


@pytest.mark.parametrize("name", ["Attention", "AdditiveAttention"])
def test_masks_as_numpy_arrays_and_lists(name):
    """Keras takes `mask=[query_mask, value_mask]` as arrays; they failed on `.bool()`."""
    layer = getattr(layers, name)()
    data = [torch.from_numpy(Q), torch.from_numpy(V)]
    expected = layer(data, mask=[torch.from_numpy(Q_MASK), torch.from_numpy(V_MASK)],
                     use_causal_mask=True)
    for mask in ([Q_MASK, V_MASK], [Q_MASK.astype(int).tolist(), V_MASK.astype("float32")]):
        actual = layer([Q, V], mask=mask, use_causal_mask=True)
        np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy())


def test_key_input_and_weights():
    ours = parity("AdditiveAttention", {}, [Q, V, K])
    assert [tuple(w.shape) for w in ours.weights] == [(4,)]
    layer = parity("Attention", {"use_scale": True, "score_mode": "concat"}, [Q, V])
    assert layer.weights[0].shape == ()


def test_masks_from_embeddings_flow_in_a_model():
    query_ids, value_ids = hocsau.Input((3,), dtype="int32"), hocsau.Input((5,), dtype="int32")
    embed = layers.Embedding(20, 4, mask_zero=True)
    out = layers.Attention()([embed(query_ids), embed(value_ids)])
    model = hocsau.Model([query_ids, value_ids], layers.GlobalAveragePooling1D()(out))
    q, v = np.array([[1, 2, 3]]), np.array([[4, 5, 0, 0, 0]])
    np.testing.assert_allclose(model.predict([q, v], verbose=0),
                               model.predict([q, v[:, :2]], verbose=0), rtol=1e-6)


def test_symbolic_shapes_dropout_and_layer_test():
    q, v = hocsau.Input((3, 4)), hocsau.Input((5, 4))
    out, scores = layers.Attention()([q, v], return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 3, 5)
    layer = layers.Attention(dropout=0.5, seed=1)
    x = [torch.ones(2, 3, 4), torch.ones(2, 5, 4)]
    assert torch.equal(layer(x), layer(x))
    assert not torch.equal(layer(x, training=True), layer(x))
    run_layer_test(layers.Attention, {"use_scale": True}, input_shape=[(2, 3, 4), (2, 5, 4)],
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1,
                   supports_masking=True, run_training_check=True)
    run_layer_test(layers.AdditiveAttention, {}, input_shape=[(2, 3, 4), (2, 5, 4)],
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1,
                   supports_masking=True)


def test_errors():
    with pytest.raises(ValueError, match="score_mode=add"):
        layers.Attention(score_mode="add")
    with pytest.raises(ValueError, match=r"\[query, value\] or \[query, value, key\]"):
        layers.Attention()(hocsau.Input((3, 4)))
    with pytest.raises(ValueError, match="mask must be a list"):
        layers.Attention()([torch.ones(1, 2, 3), torch.ones(1, 2, 3)], mask=torch.ones(1, 2))
