import numpy as np
import pytest
import torch
from ops_parity import F3, RNG, F, V, assert_close, assert_like_keras

from hocsau import ops


def test_one_hot_and_multi_hot():
    out = ops.one_hot(np.array([0, 2, -1, 1]), 3)
    assert out.tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 1, 0]]
    assert out.dtype == torch.float32
    moved = ops.one_hot(np.array([[0, 2], [1, 1]]), 3, axis=0, dtype="int32")
    assert moved.shape == (3, 2, 2) and moved.dtype == torch.int32
    assert_like_keras(moved, "one_hot", np.array([[0, 2], [1, 1]]), 3, axis=0, dtype="int32")
    assert ops.multi_hot(np.array([[0, 2], [1, 1]]), 4).tolist() == [[1, 0, 1, 0], [0, 1, 0, 0]]
    assert ops.multi_hot(np.array([0, 2]), num_tokens=3).tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="num_classes"):
        ops.multi_hot(np.array([0]))


def test_one_hot_of_classes_past_the_depth_is_all_zero():
    """As on TensorFlow and JAX (the switch-transformer example one-hot encodes positions past
    an expert's capacity and relies on them vanishing); Keras's torch backend raises."""
    out = ops.one_hot(np.array([[3, 1], [2, 7]]), 3, dtype="int32")
    assert out.tolist() == [[[0, 0, 0], [0, 1, 0]], [[0, 0, 1], [0, 0, 0]]]
    assert ops.one_hot(np.array([5, 0]), 2, axis=0).tolist() == [[0, 1], [0, 0]]


@pytest.mark.parametrize("axes,keepdims", [((0, 1), False), ([2], True), ((0, 1, 2), False)])
def test_moments_match_numpy(axes, keepdims):
    mean, variance = ops.moments(F3, axes, keepdims=keepdims)
    assert_close(mean, F3.mean(axis=tuple(axes), keepdims=keepdims), rtol=1e-5, atol=1e-6)
    assert_close(variance, F3.var(axis=tuple(axes), keepdims=keepdims), rtol=1e-5, atol=1e-6)
    half_mean, _ = ops.moments(F3.astype("float16"), axes)
    assert half_mean.dtype == torch.float16


def test_batch_normalization_like_keras():
    mean, variance = np.array([0.1, 0.2, 0.3, 0.4], "float32"), np.array([1, 2, 3, 4], "float32")
    kwargs = {"offset": np.ones(4, "float32"), "scale": np.full(4, 2.0, "float32")}
    out = ops.batch_normalization(F3, mean, variance, -1, **kwargs)
    assert_close(out, (F3 - mean) / np.sqrt(variance + 1e-3) * 2 + 1, rtol=1e-5)
    assert_like_keras(out, "batch_normalization", F3, mean, variance, -1, **kwargs)
    along_1 = ops.batch_normalization(F3, V, V, 1, epsilon=0.0)
    assert_close(along_1, (F3 - V[:, None]) / np.sqrt(V[:, None]), rtol=1e-5)


@pytest.mark.parametrize("axis,order", [(-1, 2), (0, 1), (1, 3)])
def test_normalize_like_keras(axis, order):
    out = ops.normalize(F, axis=axis, order=order)
    norm = np.linalg.norm(F, ord=order, axis=axis, keepdims=True)
    assert_close(out, F / norm, rtol=1e-5)
    assert_like_keras(out, "normalize", F, axis=axis, order=order)
    with pytest.raises(ValueError, match="order"):
        ops.normalize(F, order=0)


@pytest.mark.parametrize("axis", [-1, (1, 2), 1])
def test_layer_and_rms_normalization(axis):
    dims = axis if isinstance(axis, tuple) else (axis,)
    shape = tuple(F3.shape[d] for d in dims)
    gamma = RNG.normal(size=shape).astype("float32")
    beta = RNG.normal(size=shape).astype("float32")
    mean, var = F3.mean(dims, keepdims=True), F3.var(dims, keepdims=True)
    broadcast = [F3.shape[d] if d % 3 in [x % 3 for x in dims] else 1 for d in range(3)]
    expected = (F3 - mean) / np.sqrt(var + 1e-7) * gamma.reshape(broadcast) + beta.reshape(
        broadcast)
    assert_close(ops.layer_normalization(F3, gamma, beta, axis=axis), expected, rtol=1e-4,
                 atol=1e-5)
    rms = F3 / np.sqrt((F3**2).mean(dims, keepdims=True) + 1e-7) * gamma.reshape(broadcast)
    assert_close(ops.rms_normalization(F3, gamma, axis=axis), rms, rtol=1e-4, atol=1e-5)
    if axis != 1:  # Keras's torch path normalizes the wrong axis for a lone inner int axis
        assert_like_keras(ops.layer_normalization(F3, gamma, beta, axis=axis),
                          "layer_normalization", F3, gamma, beta, axis=axis, atol=1e-5)
        assert_like_keras(ops.rms_normalization(F3, gamma, axis=axis), "rms_normalization", F3,
                          gamma, axis=axis, atol=1e-5)


def test_layer_normalization_keeps_half_dtype_and_rms_scaling_warns():
    assert ops.layer_normalization(F3.astype("float16")).dtype == torch.float16
    with pytest.warns(UserWarning, match="deprecated"):
        out = ops.layer_normalization(F3, rms_scaling=True)
    assert_close(out, F3 / np.sqrt(F3.var(-1, keepdims=True) + 1e-7), rtol=1e-4, atol=1e-5)


QUERY = RNG.normal(size=(2, 5, 4, 8)).astype("float32")
KEY = RNG.normal(size=(2, 6, 2, 8)).astype("float32")
VALUE = RNG.normal(size=(2, 6, 2, 8)).astype("float32")
MASK = RNG.random(size=(2, 4, 5, 6)) > 0.3


@pytest.mark.parametrize("kwargs", [{}, {"mask": MASK}, {"is_causal": True},
                                    {"mask": MASK, "is_causal": True}, {"scale": 0.3},
                                    {"bias": RNG.normal(size=(1, 4, 5, 6)).astype("float32")},
                                    {"flash_attention": False}])
def test_dot_product_attention_like_keras(kwargs):
    out = ops.dot_product_attention(QUERY, KEY, VALUE, **kwargs)
    assert out.shape == (2, 5, 4, 8)
    assert_like_keras(out, "dot_product_attention", QUERY, KEY, VALUE, rtol=1e-4, atol=1e-5,
                      **kwargs)


def test_dot_product_attention_soft_cap_and_errors():
    q, k = QUERY[:, :, :2], KEY
    logits = np.einsum("bqhd,bkhd->bhqk", q, k) / np.sqrt(8)
    capped = 2.0 * np.tanh(logits / 2.0)
    weights = np.exp(capped) / np.exp(capped).sum(-1, keepdims=True)
    expected = np.einsum("bhqk,bkhd->bqhd", weights, VALUE)
    out = ops.dot_product_attention(q, k, VALUE, attn_logits_soft_cap=2.0)
    assert_close(out, expected, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="4D"):
        ops.dot_product_attention(F, F, F)
    with pytest.raises(ValueError, match="Only one of"):
        ops.dot_product_attention(QUERY, KEY, VALUE, bias=MASK, mask=MASK)


def test_polar():
    out = ops.polar(np.array([2.0], "float32"), np.array([np.pi / 2], "float32"))
    assert out.dtype == torch.complex64
    assert abs(out.item() - 2j) < 1e-6
