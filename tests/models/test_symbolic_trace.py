"""Tracing `call` to infer symbolic outputs, against Keras 3: tensors created inside `call`
(creation ops, random ops, host data, raw torch factories) follow the trace, code the meta
device cannot run falls back to placeholder data, and tracing changes no state."""

import numpy as np
import pytest
import torch

import hocsau

X = np.random.default_rng(0).uniform(-1, 2, (3, 4)).astype("float32")


def _bodies(lib):
    """Bodies of `call` from Keras programs, each run on `lib` (hocsau or keras)."""
    ops = lib.ops
    return {
        "zeros_of_batch": lambda x: ops.concatenate([x, ops.zeros((x.shape[0], 3))], axis=-1),
        "arange_of_shape": lambda x: x + ops.cast(ops.arange(0, ops.shape(x)[-1]), x.dtype),
        "host_data": lambda x: x * ops.convert_to_tensor(np.arange(4, dtype="float32")),
        "like_eye_full": lambda x: x + ops.ones_like(x) + ops.eye(4)[1] + ops.full((4,), 2.0),
        "torch_factories": lambda x: x + torch.zeros(x.shape[0], 4) + torch.arange(4.0),
        "seeded_uniform": lambda x: x + lib.random.uniform((4,), seed=3),
        "item": lambda x: x * float(ops.max(x)),
        "numpy_in_call": lambda x: x[:, : int(ops.convert_to_numpy(ops.sum(x[0] * 0.0 + 1)))],
        "data_dependent_shape": lambda x: ops.nonzero(x > 0.5)[0],
        "cond_takes_true_branch": lambda x: ops.cond(ops.sum(x) > 1e9, lambda: x[:, :2],
                                                     lambda: x[:, :1] * 2.0),
    }


def _layer(lib, body):
    class Body(lib.layers.Layer):
        def call(self, x):
            return body(x)

    return Body()


def _program(lib, name):
    body = _bodies(lib)[name]
    inputs = lib.Input((4,))
    outputs = _layer(lib, body)(inputs)
    model = lib.Model(inputs, outputs)
    return outputs.shape, lib.ops.convert_to_numpy(model.predict(X, verbose=0))


@pytest.mark.parametrize("name", list(_bodies(hocsau)))
def test_tensors_made_inside_call_trace_like_keras(name):
    keras = pytest.importorskip("keras")
    shape, values = _program(hocsau, name)
    their_shape, their_values = _program(keras, name)
    assert shape == their_shape
    np.testing.assert_allclose(values, their_values, rtol=1e-6)


def _sampling_program(lib):
    """The Sampling layer of keras.io's VAE example in a small encoder."""
    ops, layers = lib.ops, lib.layers

    class Sampling(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = lib.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            batch = ops.shape(z_mean)[0]
            dim = ops.shape(z_mean)[1]
            epsilon = lib.random.normal(shape=(batch, dim), seed=self.seed_generator)
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    inputs = lib.Input((4,))
    hidden = layers.Dense(3, activation="relu", name="hidden")(inputs)
    z_mean = layers.Dense(2, name="z_mean")(hidden)
    z_log_var = layers.Dense(2, name="z_log_var")(hidden)
    sampling = Sampling()
    z = sampling([z_mean, z_log_var])
    model = lib.Model(inputs, layers.Dense(4, name="decoded")(z))
    state_after_build = lib.ops.convert_to_numpy(sampling.seed_generator.state).tolist()
    return model, z.shape, state_after_build


def test_vae_sampling_builds_keeps_its_seed_and_trains_like_keras():
    keras = pytest.importorskip("keras")
    (theirs, their_shape, their_state), (ours, shape, state) = (
        _sampling_program(keras), _sampling_program(hocsau))
    assert shape == their_shape == (None, 2)
    assert state == their_state == [1337, 0]  # building drew no seed
    ours.set_weights(theirs.get_weights())
    for _ in range(2):  # direct calls draw from the seed stream alike
        np.testing.assert_allclose(ours(X).detach().numpy(),
                                   keras.ops.convert_to_numpy(theirs(X)), rtol=1e-5, atol=1e-6)
    losses = []
    for model in (theirs, ours):
        model.compile(optimizer="sgd", loss="mse")
        losses.append(model.fit(X, X, batch_size=3, epochs=3, shuffle=False,
                                verbose=0).history["loss"])
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4)


def _transformer_program(lib, maxlen=6, vocab=20, dim=8):
    """keras.io's text classification with a Transformer (TokenAndPositionEmbedding,
    TransformerBlock), at a small size."""
    ops, layers = lib.ops, lib.layers

    class TransformerBlock(layers.Layer):
        def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
            super().__init__()
            self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.ffn = lib.Sequential([layers.Dense(ff_dim, activation="relu"),
                                       layers.Dense(embed_dim)])
            self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
            self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
            self.dropout1 = layers.Dropout(rate)
            self.dropout2 = layers.Dropout(rate)

        def call(self, inputs):
            attn_output = self.dropout1(self.att(inputs, inputs))
            out1 = self.layernorm1(inputs + attn_output)
            ffn_output = self.dropout2(self.ffn(out1))
            return self.layernorm2(out1 + ffn_output)

    class TokenAndPositionEmbedding(layers.Layer):
        def __init__(self, maxlen, vocab_size, embed_dim):
            super().__init__()
            self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
            self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

        def call(self, x):
            positions = ops.arange(start=0, stop=ops.shape(x)[-1], step=1)
            return self.token_emb(x) + self.pos_emb(positions)

    inputs = layers.Input(shape=(maxlen,))
    x = TokenAndPositionEmbedding(maxlen, vocab, dim)(inputs)
    x = TransformerBlock(dim, 2, 16)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2, activation="softmax")(layers.Dense(20, activation="relu")(x))
    return lib.Model(inputs=inputs, outputs=outputs)


def test_transformer_example_builds_predicts_and_fits_like_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(1)
    tokens = rng.integers(0, 20, (5, 6)).astype("float32")
    theirs, ours = _transformer_program(keras), _transformer_program(hocsau)
    assert ours.output_shape == theirs.output_shape == (None, 2)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(tokens, verbose=0),
                               keras.ops.convert_to_numpy(theirs.predict(tokens, verbose=0)),
                               rtol=1e-5, atol=1e-6)
    ours.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = ours.fit(tokens, np.array([0, 1, 0, 1, 1]), epochs=2, verbose=0).history
    assert len(history["loss"]) == 2 and np.isfinite(history["loss"]).all()


def _stateful_program(lib):
    """A layer the meta device cannot trace (`.item()`), with BatchNormalization, dropout and
    a seed generator inside, called symbolically in training mode."""
    layers = lib.layers

    class Stateful(layers.Layer):
        def __init__(self):
            super().__init__()
            self.norm = layers.BatchNormalization(momentum=0.5)
            self.seed_generator = lib.random.SeedGenerator(7)

        def call(self, x, training=None):
            scale = float(lib.ops.max(x))
            noise = lib.random.uniform(lib.ops.shape(x), seed=self.seed_generator)
            x = self.norm(x * scale, training=training) + noise
            return lib.random.dropout(x, 0.5)

    layer = Stateful()
    outputs = layer(lib.Input((4,)), training=True)
    return (outputs.shape, lib.ops.convert_to_numpy(layer.norm.moving_mean),
            lib.ops.convert_to_numpy(layer.seed_generator.state).tolist())


def test_a_fallback_trace_changes_no_state_like_keras():
    keras = pytest.importorskip("keras")
    torch.manual_seed(11)
    ours = _stateful_program(hocsau)
    after_trace = torch.rand(3)
    torch.manual_seed(11)
    np.testing.assert_array_equal(after_trace, torch.rand(3))  # torch's RNG was restored
    theirs = _stateful_program(keras)
    assert ours[0] == theirs[0] == (None, 4)
    np.testing.assert_array_equal(ours[1], theirs[1])
    np.testing.assert_array_equal(ours[1], np.zeros(4))
    assert ours[2] == theirs[2] == [7, 0]


def test_a_sublayer_built_during_a_meta_trace_gets_real_weights():
    class Lazy(hocsau.layers.Layer):
        def __init__(self):
            super().__init__()
            self.dense = hocsau.layers.Dense(3)

        def call(self, x):
            return self.dense(x) + hocsau.ops.zeros((x.shape[0], 3))

    layer = Lazy()
    assert layer(hocsau.Input((4,))).shape == (None, 3)
    assert layer.dense.kernel.device.type == hocsau.config.device().type
    assert tuple(layer(X).shape) == (3, 3)


def test_an_error_in_call_is_reported_with_the_layer_and_shapes():
    class Wrong(hocsau.layers.Layer):
        def call(self, x):
            return hocsau.ops.matmul(x, hocsau.ops.ones((5, 2)))

    with pytest.raises(ValueError, match=r"(?s)calling Wrong 'wrong.*' on a symbolic input.*"
                                         r"Received: inputs with shape \(None, 4\)"):
        Wrong()(hocsau.Input((4,)))


def _loss_program(lib):
    class WithLosses(lib.layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = lib.layers.Dense(2, activity_regularizer="l2")

        def call(self, x):
            self.add_loss(lib.ops.sum(x))
            return self.inner(x)

    layer = WithLosses()
    model = lib.Model(*(lambda i: (i, layer(i)))(lib.Input((4,))))
    return model, [len(layer.losses), len(layer.inner.losses), len(model.losses)]


def test_losses_added_while_tracing_are_dropped_like_keras():
    keras = pytest.importorskip("keras")
    (theirs, their_counts), (ours, counts) = _loss_program(keras), _loss_program(hocsau)
    assert counts == their_counts == [0, 0, 0]
    ours.set_weights(theirs.get_weights())
    ours(X), theirs(X)
    np.testing.assert_allclose([float(loss.detach()) for loss in ours.losses],
                               [keras.ops.convert_to_numpy(v).item() for v in theirs.losses],
                               rtol=1e-5)


def test_a_raw_torch_module_on_an_input_names_the_wrapper():
    inputs = hocsau.Input((4,))
    with pytest.raises(TypeError, match=r"`linear`.*TorchModuleWrapper"):
        torch.nn.Linear(4, 2)(inputs)
    wrapped = hocsau.layers.TorchModuleWrapper(torch.nn.Linear(4, 2))(inputs)
    assert wrapped.shape == (None, 2)


def test_a_torch_function_on_an_input_names_keras_ops():
    with pytest.raises(TypeError, match=r"`tanh`.*keras.ops"):
        torch.tanh(hocsau.Input((4,)))
