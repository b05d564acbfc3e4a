"""tf.keras 2's backend functions (`K.dot`, `K.sum`, ...), a hocsau extension: values computed
with NumPy following TensorFlow's definitions (keras.src.legacy.backend), and the same
functions inside functional graphs."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import backend as K
from hocsau import layers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 3, 4)).astype("float32")
M = RNG.normal(size=(4, 5)).astype("float32")


def close(actual, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(K.get_value(actual), expected, rtol=rtol, atol=atol)


def test_math_and_reductions():
    x = torch.tensor(X)
    close(K.sum(x, axis=1), X.sum(1))
    close(K.mean(x, axis=[0, 2], keepdims=True), X.mean((0, 2), keepdims=True))
    close(K.max(x), X.max())
    close(K.min(x, axis=-1), X.min(-1))
    close(K.prod(x, axis=(1, 2)), X.prod((1, 2)), rtol=1e-4)
    close(K.std(x, axis=1), X.std(1))
    close(K.var(x), X.var())
    close(K.sqrt(x), np.sqrt(np.maximum(X, 0)))  # negatives clipped first, as tf.keras 2
    for name in ("exp", "tanh", "abs", "square", "sign", "cos", "sin"):
        close(getattr(K, name)(x), getattr(np, {"abs": "abs"}.get(name, name))(X))
    close(K.sigmoid(x), 1 / (1 + np.exp(-X)))
    close(K.log(K.abs(x)), np.log(np.abs(X)))
    close(K.clip(x, 0.5, -1.0), np.clip(X, 0.5, 0.5))  # a max below the min becomes the min
    close(K.cumsum(x, axis=1), np.cumsum(X, 1))
    assert K.get_value(K.mean(torch.tensor([1, 2, 4]))) == 2  # TF's integer mean truncates
    assert K.mean(torch.tensor([True, False])).dtype == torch.float32
    assert K.argmax(x).dtype == torch.int64
    close(K.argmax(x), X.argmax(-1))
    np.testing.assert_array_equal(K.equal(x, x), np.ones_like(X, bool))
    np.testing.assert_array_equal(K.greater(x, 0.0), X > 0)
    close(K.round(torch.tensor([0.5, 1.5, 2.5])), [0.0, 2.0, 2.0])
    close(K.l2_normalize(x, axis=-1), X / np.sqrt((X ** 2).sum(-1, keepdims=True)))


def test_shapes_and_layout():
    x = torch.tensor(X)
    assert K.int_shape(x) == (2, 3, 4) and K.ndim(x) == 3 and K.dtype(x) == "float32"
    assert K.int_shape(hocsau.Input((5, None))) == (None, 5, None)
    np.testing.assert_array_equal(K.get_value(K.shape(x)), [2, 3, 4])
    assert K.reshape(x, (K.shape(x)[0], -1)).shape == (2, 12)
    close(K.permute_dimensions(x, (2, 0, 1)), X.transpose(2, 0, 1))
    close(K.transpose(x), X.T)
    assert K.expand_dims(x).shape == (2, 3, 4, 1)
    assert K.squeeze(K.expand_dims(x, 1), 1).shape == (2, 3, 4)
    with pytest.raises(ValueError, match="Can not squeeze dim"):
        K.squeeze(x, 1)
    close(K.concatenate([x, x], axis=-1), np.concatenate([X, X], -1))
    close(K.stack([x, x], axis=1), np.stack([X, X], 1))
    close(K.repeat_elements(x, 2, axis=1), np.repeat(X, 2, 1))
    close(K.repeat(x[:, 0], 3), np.repeat(X[:, :1], 3, 1))
    close(K.tile(x, (1, 2, 1)), np.tile(X, (1, 2, 1)))
    close(K.reverse(x, 1), X[:, ::-1])
    close(K.batch_flatten(x), X.reshape(2, -1))
    close(K.flatten(x), X.reshape(-1))
    close(K.gather(x, [1, 0]), X[[1, 0]])
    close(K.one_hot(torch.tensor([0, 2, 5]), 3), [[1, 0, 0], [0, 0, 1], [0, 0, 0]])
    close(K.temporal_padding(x, (1, 2)), np.pad(X, ((0, 0), (1, 2), (0, 0))))
    images = RNG.normal(size=(1, 2, 3, 2)).astype("float32")
    close(K.spatial_2d_padding(torch.tensor(images), ((1, 0), (0, 2)), "channels_last"),
          np.pad(images, ((0, 0), (1, 0), (0, 2), (0, 0))))
    close(K.resize_images(torch.tensor(images), 2, 3, "channels_last"),
          images.repeat(2, 1).repeat(3, 2))
    np.testing.assert_array_equal(K.get_value(K.arange(5)), np.arange(5))
    assert K.arange(-3).numel() == 0


def test_dot_and_batch_dot_follow_tensorflow():
    x, m = torch.tensor(X), torch.tensor(M)
    close(K.dot(x, m), X @ M)
    y3 = RNG.normal(size=(6, 4, 5)).astype("float32")
    close(K.dot(x, torch.tensor(y3)), np.einsum("abi,cij->abcj", X, y3), rtol=1e-4)
    close(K.dot(x, m[:, 0]), X @ M[:, 0])  # a vector: Theano's dot, as Keras 1 layers use it
    y = RNG.normal(size=(2, 4, 3)).astype("float32")
    close(K.batch_dot(x, torch.tensor(y)), np.einsum("bij,bjk->bik", X, y), rtol=1e-4)
    close(K.batch_dot(x, x, axes=(2, 2)), np.einsum("bik,bjk->bij", X, X), rtol=1e-4)
    v = RNG.normal(size=(2, 4)).astype("float32")
    close(K.batch_dot(torch.tensor(v), torch.tensor(v), axes=1),
          (v * v).sum(1, keepdims=True))
    with pytest.raises(ValueError, match="Cannot perform batch_dot over axis 0"):
        K.batch_dot(x, x, axes=0)


def test_activations_and_losses():
    logits = torch.tensor(X[0])
    probs = np.exp(X[0]) / np.exp(X[0]).sum(-1, keepdims=True)
    close(K.softmax(logits), probs)
    with pytest.raises(ValueError, match="1D"):
        K.softmax(logits[0])
    close(K.relu(logits, alpha=0.1, max_value=0.5),
          np.where(X[0] > 0, np.minimum(X[0], 0.5), 0.1 * X[0]))
    close(K.relu(logits, threshold=0.3), np.where(X[0] > 0.3, X[0], 0))
    close(K.elu(logits, 0.5), np.where(X[0] > 0, X[0], 0.5 * (np.exp(X[0]) - 1)))
    close(K.hard_sigmoid(logits), np.clip(0.2 * X[0] + 0.5, 0, 1))
    target = np.eye(4, dtype="float32")[[0, 3, 1]]
    close(K.categorical_crossentropy(torch.tensor(target), torch.tensor(probs)),
          -(target * np.log(probs)).sum(-1), rtol=1e-5)
    close(K.categorical_crossentropy(torch.tensor(target), logits, from_logits=True),
          -(target * np.log(probs)).sum(-1), rtol=1e-5)
    labels = torch.tensor([0, 3, 1])
    close(K.sparse_categorical_crossentropy(labels, torch.tensor(probs)),
          -np.log(probs[[0, 1, 2], [0, 3, 1]]), rtol=1e-5)
    ignored = K.sparse_categorical_crossentropy(labels, logits, from_logits=True,
                                                ignore_class=3)
    assert K.get_value(ignored)[1] == 0
    p = 1 / (1 + np.exp(-X[0]))
    eps = 1e-7
    expected = -(0.3 * np.log(p + eps) + 0.7 * np.log(1 - p + eps))
    close(K.binary_crossentropy(torch.full((3, 4), 0.3), torch.tensor(p)), expected, rtol=1e-4)
    close(K.binary_crossentropy(torch.full((3, 4), 0.3), logits, from_logits=True),
          -(0.3 * np.log(p) + 0.7 * np.log(1 - p)), rtol=1e-4)


def test_variables_values_and_randomness():
    v = K.variable([[1.0, 2.0]], name="v")
    assert isinstance(v, hocsau.Variable) and v.name == "v" and v.dtype == torch.float32
    K.set_value(v, [[3.0, 4.0]])
    np.testing.assert_array_equal(K.get_value(v), [[3.0, 4.0]])
    K.update_add(v, 1.0)
    np.testing.assert_array_equal(K.eval(v), [[4.0, 5.0]])
    K.batch_set_value([(v, np.zeros((1, 2)))])
    assert K.batch_get_value([v])[0].tolist() == [[0.0, 0.0]]
    assert K.constant(2, shape=(2, 2)).tolist() == [[2.0, 2.0], [2.0, 2.0]]
    assert K.zeros((2, 3)).shape == (2, 3) and K.ones(3).sum() == 3
    assert K.eye(3).trace() == 3 and K.count_params(K.zeros((2, 3))) == 6
    assert K.zeros_like(v).shape == (1, 2) and K.ones_like(v, dtype="int32").dtype == torch.int32
    a, b = K.random_normal((500,), 1.0, 2.0, seed=3), K.random_normal((500,), 1.0, 2.0, seed=3)
    assert torch.equal(a, b) and abs(float(a.mean()) - 1.0) < 0.3
    u = K.random_uniform((1000,), -1.0, 1.0, seed=1)
    assert float(u.min()) >= -1 and float(u.max()) < 1
    t = K.truncated_normal((1000,), stddev=0.5, seed=2)
    assert float(t.abs().max()) <= 1.0
    assert set(K.random_bernoulli((100,), p=0.5, seed=0).unique().tolist()) <= {0.0, 1.0}
    assert K.epsilon() == 1e-7 and K.floatx() == "float32"
    assert K.image_data_format() == "channels_last"


def test_learning_phase_follows_the_training_flag():
    class Phase(layers.Layer):
        def call(self, x):
            return x * 0 + K.learning_phase()

    layer = Phase()
    assert float(layer(torch.ones(1), training=True)) == 1
    assert float(layer(torch.ones(1))) == 0


def test_switch_rnn_and_folds():
    x = torch.tensor(X)
    close(K.switch(torch.tensor(True), lambda: x, lambda: -x), X)
    close(K.switch(x > 0, x, torch.zeros_like(x)), np.maximum(X, 0))
    close(K.switch(torch.tensor([True, False]), x, -x), np.stack([X[0], -X[1]]))
    close(K.map_fn(lambda row: row.sum(), x), X.sum((1, 2)), rtol=1e-5)
    close(K.foldl(lambda acc, row: acc + row, x), X.sum(0))
    close(K.foldr(lambda acc, row: acc - row, x), X[1] - X[0])

    def step(inputs, states):
        total = states[0] + inputs
        return total * 2, [total]

    last, outputs, states = K.rnn(step, x, [torch.zeros(2, 4)])
    close(outputs, 2 * np.cumsum(X, 1))
    close(last, 2 * X.sum(1))
    close(states[0], X.sum(1))
    mask = torch.tensor([[True, True, False], [True, False, False]])
    last, outputs, states = K.rnn(step, x, [torch.zeros(2, 4)], mask=mask)
    close(states[0], np.stack([X[0, :2].sum(0), X[1, 0]]))
    close(outputs[1, 2], 2 * X[1, 0])  # masked steps repeat the previous output
    _, backwards, _ = K.rnn(step, x, [torch.zeros(2, 4)], go_backwards=True)
    close(backwards[:, 0], 2 * X[:, 2])


def test_convolution_and_pooling_match_keras_layers():
    images = torch.tensor(RNG.normal(size=(2, 6, 6, 3)).astype("float32"))
    conv = layers.Conv2D(4, 3, padding="same", use_bias=False)
    expected = conv(images)
    close(K.conv2d(images, conv.kernel, padding="same"), K.get_value(expected), rtol=1e-4,
          atol=1e-5)
    pool = layers.AveragePooling2D(2, padding="same")
    close(K.pool2d(images, (2, 2), (2, 2), "same", pool_mode="avg"), K.get_value(pool(images)))
    seq = torch.tensor(X)
    causal = layers.Conv1D(2, 2, padding="causal", use_bias=False)
    expected = causal(seq)
    close(K.conv1d(seq, causal.kernel, padding="causal"), K.get_value(expected), rtol=1e-4,
          atol=1e-5)
    up = layers.Conv2DTranspose(2, 3, strides=2, padding="same", use_bias=False)
    result = up(images)
    close(K.conv2d_transpose(images, up.kernel, (2, 12, 12, 2), (2, 2), "same"),
          K.get_value(result), rtol=1e-4, atol=1e-5)


def test_ctc_batch_cost_uses_the_last_class_as_blank():
    probs = torch.softmax(torch.tensor(RNG.normal(size=(2, 6, 4)).astype("float32")), -1)
    labels = torch.tensor([[0, 1], [2, 2]])
    cost = K.ctc_batch_cost(labels, probs, torch.tensor([[6], [6]]), torch.tensor([[2], [2]]))
    expected = torch.nn.functional.ctc_loss(
        torch.log(probs + 1e-7).log_softmax(-1).transpose(0, 1), labels, [6, 6], [2, 2],
        blank=3, reduction="none")
    close(cost, expected[:, None].numpy(), rtol=1e-4)
    decoded, _ = K.ctc_decode(probs, torch.tensor([6, 6]))
    assert decoded[0].shape == (2, 6) and decoded[0].dtype == torch.int64


def test_functions_work_on_symbolic_tensors_in_functional_models():
    inputs = hocsau.Input((3, 4))
    pooled = K.sum(K.tanh(inputs), axis=1)
    scores = K.softmax(K.batch_dot(inputs, inputs, axes=(2, 2)))
    model = hocsau.Model(inputs, [pooled, K.expand_dims(K.max(scores, axis=-1))])
    assert model.output_shape == [(None, 4), (None, 3, 1)]
    a, b = model.predict(X, verbose=0)
    close(a, np.tanh(X).sum(1))
    expected = np.einsum("bik,bjk->bij", X, X)
    expected = np.exp(expected) / np.exp(expected).sum(-1, keepdims=True)
    close(b[..., 0], expected.max(-1), rtol=1e-4)
