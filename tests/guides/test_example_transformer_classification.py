"""keras.io example "Text classification with Transformer" (keras-io
examples/nlp/text_classification_with_transformer.py), adapted to random token sequences
labelled by whether most of their tokens come from the first half of the vocabulary:
`TransformerBlock` (MultiHeadAttention, feed-forward, LayerNormalization, Dropout with the
`training` flag) and `TokenAndPositionEmbedding` (positions from `ops.arange` inside `call`),
pooled and classified with a softmax head."""

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

VOCAB_SIZE, MAXLEN, EMBED_DIM, NUM_HEADS, FF_DIM = 40, 10, 8, 2, 16


def define_layers(keras):
    layers, ops = keras.layers, keras.ops

    class TransformerBlock(layers.Layer):
        def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
            super().__init__(**kwargs)
            self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                         layers.Dense(embed_dim)])
            self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
            self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
            self.dropout1, self.dropout2 = layers.Dropout(rate), layers.Dropout(rate)

        def call(self, inputs, training=False):
            attn_output = self.att(inputs, inputs)
            attn_output = self.dropout1(attn_output, training=training)
            out1 = self.layernorm1(inputs + attn_output)
            ffn_output = self.dropout2(self.ffn(out1), training=training)
            return self.layernorm2(out1 + ffn_output)

    class TokenAndPositionEmbedding(layers.Layer):
        def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
            super().__init__(**kwargs)
            self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
            self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

        def call(self, x):
            maxlen = ops.shape(x)[-1]
            positions = self.pos_emb(ops.arange(start=0, stop=maxlen, step=1))
            return self.token_emb(x) + positions

    return TransformerBlock, TokenAndPositionEmbedding


def build(keras):
    layers = keras.layers
    TransformerBlock, TokenAndPositionEmbedding = define_layers(keras)
    inputs = layers.Input(shape=(MAXLEN,))
    x = TokenAndPositionEmbedding(MAXLEN, VOCAB_SIZE, EMBED_DIM, name="embedding")(inputs)
    x = TransformerBlock(EMBED_DIM, NUM_HEADS, FF_DIM, name="transformer")(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(8, activation="relu", name="hidden")(x)
    x = layers.Dropout(0.1)(x)
    return keras.Model(inputs=inputs, outputs=layers.Dense(2, activation="softmax",
                                                          name="classes")(x))


def data(n=64):
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB_SIZE, (n, MAXLEN))
    return x, ((x < VOCAB_SIZE // 2).sum(axis=1) > MAXLEN // 2).astype("int64")


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    model = build(keras)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    x, y = data()
    predictions = model.predict(x[:8], verbose=0)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=4, validation_split=0.25, verbose=0)
    block = model.get_layer("transformer")
    sample = model.get_layer("embedding")(x[:2])
    return {"initial": initial, "predictions": predictions, "history": history.history,
            "params": model.count_params(), "output_shape": model.output_shape,
            "inference_repeatable": np.allclose(model.predict(x[:8], verbose=0),
                                                model.predict(x[:8], verbose=0)),
            "dropout_active": not np.allclose(
                keras.ops.convert_to_numpy(block(sample, training=True)),
                keras.ops.convert_to_numpy(block(sample, training=True)))}


def check(result):
    assert result["output_shape"] == (None, 2)
    np.testing.assert_allclose(result["predictions"].sum(axis=1), 1.0, rtol=1e-5)
    attention = 3 * (EMBED_DIM * NUM_HEADS * EMBED_DIM + NUM_HEADS * EMBED_DIM) + (
        NUM_HEADS * EMBED_DIM * EMBED_DIM + EMBED_DIM)
    expected = ((VOCAB_SIZE + MAXLEN) * EMBED_DIM + attention
                + (EMBED_DIM * FF_DIM + FF_DIM) + (FF_DIM * EMBED_DIM + EMBED_DIM)
                + 4 * EMBED_DIM + (EMBED_DIM * 8 + 8) + (8 * 2 + 2))
    assert result["params"] == expected
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    assert result["inference_repeatable"] and result["dropout_active"]


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_predictions_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours["predictions"], theirs["predictions"], rtol=1e-5, atol=1e-6)
