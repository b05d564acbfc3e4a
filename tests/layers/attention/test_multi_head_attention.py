"""MultiHeadAttention against Keras 3: weights layout, masks, causal, axes, output_shape."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers

keras = pytest.importorskip("keras")


def parity(kwargs, query, value, key=None, **call_kwargs):
    theirs = keras.layers.MultiHeadAttention(**kwargs)
    args = (query, value) if key is None else (query, value, key)
    theirs(*args, **call_kwargs)
    weights = [w + 0.05 * np.sin(np.arange(w.size)).reshape(w.shape).astype("float32")
               for w in theirs.get_weights()]  # non-zero biases
    theirs.set_weights(weights)
    expected = theirs(*args, **call_kwargs)
    ours = layers.MultiHeadAttention(**kwargs)
    targs = [torch.from_numpy(a) for a in args]
    tkw = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v
           for k, v in call_kwargs.items()}
    ours(*targs, **tkw)
    assert [tuple(w.shape) for w in ours.weights] == [w.shape for w in weights]
    ours.set_weights(weights)
    actual = ours(*targs, **tkw)
    if not isinstance(actual, tuple):
        actual, expected = (actual,), (expected,)
    for a, e in zip(actual, expected, strict=True):
        np.testing.assert_allclose(a.detach().numpy(), keras.ops.convert_to_numpy(e),
                                   rtol=1e-5, atol=2e-6)
    assert set(ours.get_config()) == set(theirs.get_config())
    return ours


rng = np.random.default_rng(0)
Q = rng.normal(size=(2, 4, 6)).astype("float32")
V = rng.normal(size=(2, 5, 6)).astype("float32")
K = rng.normal(size=(2, 5, 3)).astype("float32")


@pytest.mark.parametrize("kwargs", [
    {"num_heads": 2, "key_dim": 3}, {"num_heads": 3, "key_dim": 2, "value_dim": 4},
    {"num_heads": 2, "key_dim": 3, "use_bias": False},
    {"num_heads": 1, "key_dim": 5, "output_shape": 7},
    {"num_heads": 2, "key_dim": 3, "output_shape": (2, 3)},
])
def test_projections_and_heads(kwargs):
    parity(kwargs, Q, V)
    parity(kwargs, Q, V, K)


@pytest.mark.parametrize("call", [
    {"return_attention_scores": True}, {"use_causal_mask": True},
    {"attention_mask": rng.random((2, 5, 5)) > 0.3},
    {"attention_mask": rng.random((2, 5, 5)) > 0.3, "use_causal_mask": True,
     "return_attention_scores": True},
])
def test_masks_and_scores(call):
    # Causal masks as decoders use them: query and value of the same length.
    parity({"num_heads": 2, "key_dim": 3}, V[:, :, ::-1].copy(), V, **call)


@pytest.mark.parametrize("kwargs,call", [
    ({}, {}), ({}, {"return_attention_scores": True}), ({"dropout": 0.5}, {}),
    ({"attention_axes": (1, 2)}, {}),
])
def test_query_rows_with_every_key_masked(kwargs, call):
    """Keras's fused path (no dropout, no returned scores, one attention axis) attends
    uniformly to all keys from such a row; its softmax path gives the row zeros."""
    mask = np.ones((2, 5, 5), bool)
    mask[0, 1] = mask[1, 3:] = False
    query = V if "attention_axes" not in kwargs else V[:, :, None, :].repeat(2, axis=2)
    if "attention_axes" in kwargs:
        mask = np.ones((2, 5, 2, 5, 2), bool)
        mask[0, 1] = False
    parity({"num_heads": 2, "key_dim": 3, **kwargs}, query, query, attention_mask=mask, **call)


def test_masks_given_as_numpy_arrays_and_lists():
    """Keras takes masks as arrays; they used to fail on `.bool()` here."""
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    mask = rng.random((2, 5, 5)) > 0.3
    expected = layer(torch.from_numpy(V), torch.from_numpy(V),
                     attention_mask=torch.from_numpy(mask)).detach().numpy()
    np.testing.assert_allclose(layer(V, V, attention_mask=mask).detach().numpy(), expected)
    query_mask, key_mask = [[1, 1, 1, 0, 0]] * 2, np.array([[1, 0, 1, 1, 1]] * 2)
    both = layer(V, V, query_mask=query_mask, key_mask=key_mask, value_mask=key_mask)
    reference = layer(V, V, attention_mask=np.array(query_mask)[:, :, None].astype(bool)
                      & key_mask[:, None, :].astype(bool))
    np.testing.assert_allclose(both.detach().numpy(), reference.detach().numpy(), rtol=1e-6)


def test_self_attention_with_keras_masks_in_a_model():
    ids = hocsau.Input((5,), dtype="int32")
    x = layers.Embedding(20, 6, mask_zero=True)(ids)
    y = layers.MultiHeadAttention(2, 3)(x, x)
    model = hocsau.Model(ids, layers.GlobalAveragePooling1D()(y))
    a = np.array([[3, 4, 5, 0, 0]])
    np.testing.assert_allclose(model.predict(a, verbose=0), model.predict(a[:, :3], verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_attention_over_two_axes():
    q = rng.normal(size=(2, 3, 4, 6)).astype("float32")
    parity({"num_heads": 2, "key_dim": 3}, q, q, return_attention_scores=True)
    parity({"num_heads": 2, "key_dim": 3, "attention_axes": (2,)}, q, q,
           return_attention_scores=True)


def test_layer_test_dropout_and_errors():
    layer = layers.MultiHeadAttention(2, 2, dropout=0.5, seed=3)
    x = torch.ones(2, 3, 4)
    assert torch.equal(layer(x, x), layer(x, x))
    assert layer(x, x, training=True).shape == (2, 3, 4)
    with pytest.raises(ValueError, match="num_heads=0"):
        layers.MultiHeadAttention(0, 2)
    with pytest.raises(ValueError, match="except the last one, must be equal"):
        layers.MultiHeadAttention(2, 2)(torch.ones(1, 3, 4), torch.ones(1, 5, 4),
                                        torch.ones(1, 6, 4))


def test_keras_files_cross_both_ways(tmp_path):
    x = rng.normal(size=(2, 4, 6)).astype("float32")
    inp = hocsau.Input((4, 6))
    ours = hocsau.Model(inp, layers.MultiHeadAttention(2, 3)(inp, inp))
    ours.save(tmp_path / "ours.keras")
    theirs = keras.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), ours.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    kin = keras.Input((4, 6))
    keras.Model(kin, keras.layers.MultiHeadAttention(2, 3)(kin, kin)).save(tmp_path / "k.keras")
    theirs = keras.models.load_model(tmp_path / "k.keras")
    ours = hocsau.saving.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
