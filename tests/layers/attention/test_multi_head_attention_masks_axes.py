"""MultiHeadAttention masks with attention_axes covering only some axes, against Keras 3."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers

keras = pytest.importorskip("keras")
rng = np.random.default_rng(2)


def bools(*shape):
    mask = rng.random(shape) > 0.3
    mask[..., 0] = True  # some rows keep a key; others may lose all of them (zeros, as Keras)
    return mask


def call(layer, query, value, key=None, query_keras_mask=None, **kwargs):
    """`layer` on fresh torch tensors; the query's Keras mask as Embedding(mask_zero) sets it."""
    query = torch.from_numpy(query)
    if query_keras_mask is not None:
        query._keras_mask = torch.from_numpy(query_keras_mask)
    args = [query] + [torch.from_numpy(a) for a in (value, key) if a is not None]
    kwargs = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v
              for k, v in kwargs.items()}
    return layer(*args, return_attention_scores=True, **kwargs)


def parity(axes, query, value, key=None, **kwargs):
    theirs = keras.layers.MultiHeadAttention(2, 3, attention_axes=axes)
    expected = call(theirs, query, value, key, **kwargs)
    weights = [w + 0.05 * np.cos(np.arange(w.size)).reshape(w.shape).astype("float32")
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    expected = [keras.ops.convert_to_numpy(t) for t in call(theirs, query, value, key, **kwargs)]
    ours = layers.MultiHeadAttention(2, 3, attention_axes=axes)
    call(ours, query, value, key, **kwargs)
    ours.set_weights(weights)
    actual = [t.detach().numpy() for t in call(ours, query, value, key, **kwargs)]
    for a, e in zip(actual, expected, strict=True):
        assert a.shape == e.shape
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=2e-6)
    return actual[1]


def data(*shape):
    return rng.normal(size=shape).astype("float32")


# (B, X, T, F) inputs, attention along axis 2 only: masks are per position along X.
Q, V, KEY = data(2, 3, 4, 6), data(2, 3, 5, 6), data(2, 3, 5, 4)


@pytest.mark.parametrize("axes", [(2,), (-2,)])
@pytest.mark.parametrize("masks", [
    {"query_keras_mask": bools(2, 3, 4)},
    {"value_mask": bools(2, 3, 5)},
    {"attention_mask": bools(2, 3, 4, 5)},
    {"attention_mask": bools(2, 4, 5)},
    {"query_keras_mask": bools(2, 3, 4), "value_mask": bools(2, 3, 5),
     "attention_mask": bools(2, 1, 4, 5)},
], ids=["query", "value", "attention_per_x", "attention_shared", "all"])
def test_masks_with_the_last_inner_axis_attended(axes, masks):
    scores = parity(axes, Q, V, **masks)
    assert scores.shape == (2, 3, 2, 4, 5)


def test_key_mask_with_a_separate_key():
    parity((2,), Q, V, KEY, key_mask=bools(2, 3, 5), value_mask=bools(2, 3, 5))


def test_causal_mask_follows_axis_one_as_keras():
    # Keras builds the causal mask from axis 1's length, whatever the attention axes:
    # with X == T == S it masks the attended axis like a decoder.
    q = data(2, 4, 4, 6)
    scores = parity((2,), q, q, use_causal_mask=True)
    np.testing.assert_array_equal(scores[..., np.triu_indices(4, 1)[0], np.triu_indices(4, 1)[1]],
                                  0.0)
    parity((2,), q, q, use_causal_mask=True, query_keras_mask=bools(2, 4, 4))


@pytest.mark.parametrize("masks", [
    {"use_causal_mask": True}, {"attention_mask": bools(2, 3, 3)},
    {"attention_mask": bools(2, 4, 1, 3, 3), "use_causal_mask": True},
])
def test_first_inner_axis_attended(masks):
    q = data(2, 3, 4, 6)
    assert parity((1,), q, q, **masks).shape == (2, 4, 2, 3, 3)


@pytest.mark.parametrize("axes, mask_shape", [
    ((1, 3), (2, 3, 2, 4, 2, 4)), ((1, 3), (2, 2, 4, 2, 4)), ((3, 1), (2, 3, 4, 2, 4, 2)),
    (None, (2, 2, 3, 4, 2, 3, 4)),
])
def test_several_attended_axes_with_an_attention_mask(axes, mask_shape):
    q = data(2, 2, 3, 4, 6)
    parity(axes, q, q, attention_mask=bools(*mask_shape))


def test_masks_that_do_not_broadcast_raise_as_in_keras():
    q = data(2, 3, 4, 6)
    value_mask = bools(2, 3, 4)  # (B, S, 1, Y) -> does not fit scores (B, Y, N, T, S)
    with pytest.raises(ValueError, match="broadcastable"):
        keras.layers.MultiHeadAttention(2, 3, attention_axes=(1,))(q, q, value_mask=value_mask)
    ours = layers.MultiHeadAttention(2, 3, attention_axes=(1,), name="mha")
    with pytest.raises(ValueError, match=r"'mha': the attention mask does not broadcast to the "
                                         r"attention scores of shape \(2, 4, 2, 3, 3\) .* "
                                         r"Received: mask.shape=\(2, 3, 1, 1, 4\)"):
        call(ours, q, q, value_mask=value_mask)


def test_functional_models_with_a_mask_input_match_keras():
    q, mask = data(2, 3, 4, 6), bools(2, 3, 4, 4)

    def build(lib):
        x, m = lib.Input((3, 4, 6)), lib.Input((3, 4, 4), dtype="bool")
        mha = lib.layers.MultiHeadAttention(2, 3, attention_axes=(2,))
        return lib.Model([x, m], mha(x, x, attention_mask=m))

    theirs, ours = build(keras), build(hocsau)
    ours.set_weights(theirs.get_weights())
    assert tuple(ours.output.shape) == (None, 3, 4, 6)
    np.testing.assert_allclose(ours.predict([q, mask], verbose=0),
                               theirs.predict([q, mask], verbose=0), rtol=1e-5, atol=2e-6)
