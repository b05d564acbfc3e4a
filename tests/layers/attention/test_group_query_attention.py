"""GroupQueryAttention against Keras 3: heads and groups, key input, gate, masks (Keras masks,
attention_mask, causal, sliding window), scores, dropout, shapes, counts, config, errors."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")

rng = np.random.default_rng(0)
Q = rng.normal(size=(2, 4, 6)).astype("float32")
V = rng.normal(size=(2, 5, 6)).astype("float32")
K = rng.normal(size=(2, 5, 3)).astype("float32")
BASE = {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2}


def parity(kwargs, query, value, key=None, **call_kwargs):
    theirs = keras.layers.GroupQueryAttention(**kwargs)
    args = (query, value) if key is None else (query, value, key)
    theirs(*args, **call_kwargs)
    weights = [w + 0.05 * np.sin(np.arange(w.size)).reshape(w.shape).astype("float32")
               for w in theirs.get_weights()]  # non-zero biases
    theirs.set_weights(weights)
    expected = theirs(*args, **call_kwargs)
    ours = layers.GroupQueryAttention(**kwargs)
    targs = [torch.from_numpy(a) for a in args]
    tkw = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v
           for k, v in call_kwargs.items()}
    ours(*targs, **tkw)
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == \
        [(w.name, w.shape) for w in theirs.weights]
    ours.set_weights(weights)
    actual = ours(*targs, **tkw)
    if not isinstance(actual, tuple):
        actual, expected = (actual,), (expected,)
    for a, e in zip(actual, expected, strict=True):
        np.testing.assert_allclose(a.detach().numpy(), keras.ops.convert_to_numpy(e),
                                   rtol=1e-5, atol=2e-6)
    assert ours.get_config() == {**theirs.get_config(), "name": ours.name}
    return ours


@pytest.mark.parametrize("kwargs", [
    BASE, {**BASE, "num_key_value_heads": 1}, {**BASE, "num_key_value_heads": 4},
    {**BASE, "use_bias": False}, {**BASE, "use_gate": True},
])
def test_projections_and_groups(kwargs):
    parity(kwargs, Q, V)
    parity(kwargs, Q, V, K)


QUERY_MASK = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
VALUE_MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], bool)


@pytest.mark.parametrize("call", [
    {"return_attention_scores": True}, {"use_causal_mask": True},
    {"use_causal_mask": True, "return_attention_scores": True},
    {"attention_mask": rng.random((2, 4, 5)) > 0.3},
    {"attention_mask": rng.random((2, 4, 5)) > 0.3, "use_causal_mask": True,
     "return_attention_scores": True},
    # Fully masked query rows: fused attention averages the values, the explicit path zeros.
    {"query_mask": QUERY_MASK, "value_mask": VALUE_MASK},
    {"query_mask": QUERY_MASK, "value_mask": VALUE_MASK, "return_attention_scores": True},
    {"key_mask": VALUE_MASK, "use_causal_mask": True},
])
def test_masks_and_scores(call):
    parity(BASE, Q, V, **call)


@pytest.mark.parametrize("call", [{}, {"return_attention_scores": True}])
def test_sliding_window(call):
    ours = parity({**BASE, "sliding_window": 2}, V, V, **call)
    if call:
        _, scores = ours(torch.from_numpy(V), torch.from_numpy(V), **call)
        assert scores[0, 0, 0, 2:].abs().max().item() == 0.0


def test_keras_masks_in_a_model_and_shapes():
    ids = hocsau.Input((5,), dtype="int32")
    x = layers.Embedding(20, 6, mask_zero=True)(ids)
    attention = layers.GroupQueryAttention(3, 4, 2)
    y, scores = attention(x, x, return_attention_scores=True)
    assert tuple(y.shape) == (None, 5, 6) and tuple(scores.shape) == (None, 4, 5, 5)
    model = hocsau.Model(ids, layers.GlobalAveragePooling1D()(attention(x, x)))
    a = np.array([[3, 4, 5, 0, 0]])
    np.testing.assert_allclose(model.predict(a, verbose=0), model.predict(a[:, :3], verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert attention.count_params() == 6 * 12 + 12 + 2 * (6 * 6 + 6) + 12 * 6 + 6
    assert attention.query_dense is attention._query_dense
    assert attention.output_dense.name == "attention_output"


def test_dropout_in_training_only_and_layer_test():
    layer = layers.GroupQueryAttention(3, 4, 2, dropout=0.5, seed=1)
    q = torch.from_numpy(Q)
    np.testing.assert_array_equal(layer(q, q).detach().numpy(), layer(q, q).detach().numpy())
    assert not torch.allclose(layer(q, q, training=True), layer(q, q))
    run_layer_test(layers.GroupQueryAttention, BASE, input_shape={"query": (2, 4, 6),
                                                                  "value": (2, 5, 6)},
                   expected_output_shape=(2, 4, 6), expected_num_trainable_weights=8,
                   supports_masking=True, run_training_check=True)


def test_errors():
    with pytest.raises(ValueError, match="must be divisible"):
        layers.GroupQueryAttention(3, 4, 3)
    with pytest.raises(ValueError, match="head_dim=0"):
        layers.GroupQueryAttention(0, 4, 2)
    with pytest.raises(ValueError, match="sliding_window=0"):
        layers.GroupQueryAttention(3, 4, 2, sliding_window=0)
    with pytest.raises(ValueError, match="Dropout is not supported when flash"):
        layers.GroupQueryAttention(3, 4, 2, dropout=0.1, flash_attention=True)
    flash = layers.GroupQueryAttention(3, 4, 2, flash_attention=True)
    with pytest.raises(ValueError, match="Returning attention scores is not supported"):
        flash(torch.from_numpy(Q), torch.from_numpy(V), return_attention_scores=True)
    with pytest.raises(ValueError, match="last dimension of `query_shape` and `value_shape`"):
        layers.GroupQueryAttention(3, 4, 2)(hocsau.Input((4, 6)), hocsau.Input((5, 3)))
    with pytest.raises(ValueError, match="except the last one"):
        layers.GroupQueryAttention(3, 4, 2)(torch.from_numpy(Q), torch.from_numpy(V),
                                            torch.from_numpy(Q))
