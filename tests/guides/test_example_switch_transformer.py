"""keras.io example "Text classification with Switch Transformer" (keras-io
examples/nlp/text_classification_with_switch_transformer.py, Keras 3 version), adapted to
generated padded token sequences instead of IMDB: the `Router` and `Switch` layers that set
their sublayers *before* `super().__init__()`, route tokens with `ops.top_k`, `ops.one_hot`,
`ops.cumsum` and two `ops.einsum`s into a list of expert networks (`ops.unstack` / `ops.stack`),
add the load-balancing loss with `self.add_loss` (adding router noise with `keras.random.uniform`
when training), inside a TransformerBlock of a functional classifier whose batch size is fixed
by the Switch's reshape.

Keras 3 runs this example on TensorFlow and JAX only, so this test runs on hocsau and checks
the example's own invariants. Keras's torch backend stops three times: Router and Switch set
sublayers before `super().__init__()` ("cannot assign module before Module.__init__() call";
hocsau accepts it), `ops.one_hot` of positions past the expert capacity raises instead of
giving zeros (hocsau gives zeros, as TensorFlow and JAX do), and the Switch's reshape to a fixed
number of tokens per batch cannot be traced on stand-in batches, so the Input here takes
`batch_size=batch_size` (the one departure from the example, needed on hocsau too)."""

import numpy as np
from guide_helpers import layer_weights, set_layer_weights

import hocsau

vocab_size, num_tokens_per_example = 40, 6
embed_dim, num_heads, ff_dim, num_experts = 8, 2, 8, 3
batch_size, learning_rate, dropout_rate, num_epochs = 4, 0.01, 0.25, 3
num_tokens_per_batch = batch_size * num_tokens_per_example


def define(keras):
    layers, ops = keras.layers, keras.ops

    class TokenAndPositionEmbedding(layers.Layer):
        def __init__(self, maxlen, vocab_size, embed_dim):
            super().__init__()
            self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
            self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

        def call(self, x):
            maxlen = ops.shape(x)[-1]
            positions = ops.arange(start=0, stop=maxlen, step=1)
            positions = self.pos_emb(positions)
            x = self.token_emb(x)
            return x + positions

    def create_feedforward_network(ff_dim, embed_dim, name=None):
        return keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                 layers.Dense(embed_dim)], name=name)

    def load_balanced_loss(router_probs, expert_mask):
        num_experts = ops.shape(expert_mask)[-1]
        density = ops.mean(expert_mask, axis=0)
        density_proxy = ops.mean(router_probs, axis=0)
        loss = ops.mean(density_proxy * density) * ops.cast((num_experts**2), "float32")
        return loss

    class Router(layers.Layer):
        def __init__(self, num_experts, expert_capacity):
            self.num_experts = num_experts
            self.route = layers.Dense(units=num_experts)
            self.expert_capacity = expert_capacity
            super().__init__()

        def call(self, inputs, training=False):
            router_logits = self.route(inputs)
            if training:
                router_logits += keras.random.uniform(
                    shape=router_logits.shape, minval=0.9, maxval=1.1)
            router_probs = keras.activations.softmax(router_logits, axis=-1)
            expert_gate, expert_index = ops.top_k(router_probs, k=1)
            expert_mask = ops.one_hot(expert_index, self.num_experts)
            aux_loss = load_balanced_loss(router_probs, expert_mask)
            self.add_loss(aux_loss)
            position_in_expert = ops.cast(ops.cumsum(expert_mask, axis=0) * expert_mask,
                                          "int32")
            expert_mask *= ops.cast(
                ops.less(ops.cast(position_in_expert, "int32"), self.expert_capacity),
                "float32")
            expert_mask_flat = ops.sum(expert_mask, axis=-1)
            expert_gate *= expert_mask_flat
            combined_tensor = ops.expand_dims(
                expert_gate * expert_mask_flat
                * ops.squeeze(ops.one_hot(expert_index, self.num_experts), 1),
                -1,
            ) * ops.squeeze(ops.one_hot(position_in_expert, self.expert_capacity), 1)
            dispatch_tensor = ops.cast(combined_tensor, "float32")
            return dispatch_tensor, combined_tensor

    class Switch(layers.Layer):
        def __init__(self, num_experts, embed_dim, ff_dim, num_tokens_per_batch,
                     capacity_factor=1):
            self.num_experts = num_experts
            self.embed_dim = embed_dim
            self.experts = [create_feedforward_network(ff_dim, embed_dim)
                            for _ in range(num_experts)]
            self.expert_capacity = num_tokens_per_batch // self.num_experts
            self.router = Router(self.num_experts, self.expert_capacity)
            super().__init__()

        def call(self, inputs):
            batch_size = ops.shape(inputs)[0]
            num_tokens_per_example = ops.shape(inputs)[1]
            inputs = ops.reshape(inputs, [num_tokens_per_batch, self.embed_dim])
            dispatch_tensor, combine_tensor = self.router(inputs)
            expert_inputs = ops.einsum("ab,acd->cdb", inputs, dispatch_tensor)
            expert_inputs = ops.reshape(
                expert_inputs, [self.num_experts, self.expert_capacity, self.embed_dim])
            expert_input_list = ops.unstack(expert_inputs, axis=0)
            expert_output_list = [self.experts[idx](expert_input)
                                  for idx, expert_input in enumerate(expert_input_list)]
            expert_outputs = ops.stack(expert_output_list, axis=1)
            expert_outputs_combined = ops.einsum("abc,xba->xc", expert_outputs, combine_tensor)
            outputs = ops.reshape(expert_outputs_combined,
                                  [batch_size, num_tokens_per_example, self.embed_dim])
            return outputs

    class TransformerBlock(layers.Layer):
        def __init__(self, embed_dim, num_heads, ffn, dropout_rate=0.1):
            super().__init__()
            self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.ffn = ffn
            self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
            self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
            self.dropout1 = layers.Dropout(dropout_rate)
            self.dropout2 = layers.Dropout(dropout_rate)

        def call(self, inputs, training=False):
            attn_output = self.att(inputs, inputs)
            attn_output = self.dropout1(attn_output, training=training)
            out1 = self.layernorm1(inputs + attn_output)
            ffn_output = self.ffn(out1)
            ffn_output = self.dropout2(ffn_output, training=training)
            return self.layernorm2(out1 + ffn_output)

    def create_classifier():
        switch = Switch(num_experts, embed_dim, ff_dim, num_tokens_per_batch)
        transformer_block = TransformerBlock(embed_dim // num_heads, num_heads, switch)
        inputs = layers.Input(shape=(num_tokens_per_example,), batch_size=batch_size)
        embedding_layer = TokenAndPositionEmbedding(num_tokens_per_example, vocab_size,
                                                    embed_dim)
        x = embedding_layer(inputs)
        x = transformer_block(x)
        x = layers.GlobalAveragePooling1D()(x)
        x = layers.Dropout(dropout_rate)(x)
        x = layers.Dense(ff_dim, activation="relu")(x)
        x = layers.Dropout(dropout_rate)(x)
        outputs = layers.Dense(2, activation="softmax")(x)
        return keras.Model(inputs=inputs, outputs=outputs), switch

    return create_classifier


def load_data(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.integers(1, vocab_size // 2, (n, num_tokens_per_example)) + (vocab_size // 2) * (
        rng.random((n, num_tokens_per_example)) < 0.3 + 0.4 * y[:, None])
    return x, y


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    classifier, switch = define(keras)()
    if weights is not None:
        set_layer_weights(classifier, weights)
    initial = layer_weights(classifier)
    (x_train, y_train), (x_val, y_val) = load_data(32, 0), load_data(16, 1)
    classifier.compile(optimizer=keras.optimizers.Adam(learning_rate),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = {"predictions": classifier.predict(x_val, batch_size=batch_size, verbose=0),
              "evaluate": classifier.evaluate(x_val, y_val, batch_size=batch_size, verbose=0)}
    history = classifier.fit(x_train, y_train, batch_size=batch_size, epochs=num_epochs,
                             validation_data=(x_val, y_val), verbose=0)
    return {"initial": initial, "before": before, "history": history.history,
            "switch_weights": len(switch.weights), "losses": len(classifier.losses),
            "output_shape": classifier.output_shape}


def check(result):
    assert result["output_shape"] == (batch_size, 2)
    # Router Dense (2) + 3 experts x 2 Dense layers x 2.
    assert result["switch_weights"] == 2 + num_experts * 4
    assert result["losses"] == 1
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    # evaluate's loss is the crossentropy plus the load-balancing loss (>= 1).
    predictions = result["before"]["predictions"]
    assert predictions.shape == (16, 2)
    assert result["before"]["evaluate"][0] > 1.0


def test_program_on_hocsau():
    check(program(hocsau))


def test_inference_is_deterministic_and_routes_within_capacity():
    keras = hocsau
    classifier, switch = define(keras)()
    x, _ = load_data(4, 2)
    first = classifier.predict(x, batch_size=batch_size, verbose=0)
    np.testing.assert_allclose(classifier.predict(x, batch_size=batch_size, verbose=0), first)
    tokens = keras.ops.reshape(classifier.layers[1](x), [num_tokens_per_batch, embed_dim])
    dispatch, combine = switch.router(tokens)
    dispatch = keras.ops.convert_to_numpy(dispatch)
    assert dispatch.shape == (num_tokens_per_batch, num_experts, switch.expert_capacity)
    # Each token goes to at most one (expert, slot); each slot holds at most one token.
    assert ((dispatch > 0).sum(axis=(1, 2)) <= 1).all() and ((dispatch > 0).sum(axis=0) <= 1).all()
