"""keras.io example "End-to-end Masked Language Modeling with BERT" (keras-io
examples/nlp/masked_language_modeling.py, Keras 3 version), adapted to random token ids
instead of vectorized IMDB reviews: the example's BERT-style masking (`get_masked_input_and_labels`
with per-token sample weights), a functional encoder block, `MaskedLanguageModel` overriding
`compute_loss` (SparseCategoricalCrossentropy with `reduction=None` and a module-level `Mean`
tracker) and `compute_metrics`, compiled with an optimizer only and fitted with sample
weights; the model saved and reloaded with `custom_objects`, then the example's fine-tuning:
the pretrained encoder cut at a named layer, frozen (`trainable = False`) under a new
classifier head, trained, unfrozen and re-compiled.

keras_hub's `PositionEmbedding` is replaced by a learned position-embedding layer written the
same way (a `(sequence_length, dim)` weight added to every sample); TextVectorization and
`tf.data` by generated id arrays."""

import os

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

MAX_LEN, VOCAB_SIZE, EMBED_DIM, NUM_HEAD, FF_DIM, NUM_LAYERS = 8, 30, 8, 2, 16, 1
mask_token_id = VOCAB_SIZE - 1


def get_masked_input_and_labels(encoded_texts, rng):
    inp_mask = rng.random(encoded_texts.shape) < 0.15
    inp_mask[encoded_texts <= 2] = False
    labels = -1 * np.ones(encoded_texts.shape, dtype=int)
    labels[inp_mask] = encoded_texts[inp_mask]
    encoded_texts_masked = np.copy(encoded_texts)
    inp_mask_2mask = inp_mask & (rng.random(encoded_texts.shape) < 0.90)
    encoded_texts_masked[inp_mask_2mask] = mask_token_id
    inp_mask_2random = inp_mask_2mask & (rng.random(encoded_texts.shape) < 1 / 9)
    encoded_texts_masked[inp_mask_2random] = rng.integers(3, mask_token_id,
                                                          inp_mask_2random.sum())
    sample_weights = np.ones(labels.shape)
    sample_weights[labels == -1] = 0
    y_labels = np.copy(encoded_texts)
    return encoded_texts_masked, y_labels, sample_weights


def define(keras):
    layers = keras.layers

    class PositionEmbedding(layers.Layer):
        def __init__(self, sequence_length, **kwargs):
            super().__init__(**kwargs)
            self.sequence_length = sequence_length

        def build(self, input_shape):
            self.position_embeddings = self.add_weight(
                shape=(self.sequence_length, input_shape[-1]), initializer="glorot_uniform",
                name="embeddings")

        def call(self, inputs):
            return keras.ops.broadcast_to(self.position_embeddings, keras.ops.shape(inputs))

        def get_config(self):
            return {**super().get_config(), "sequence_length": self.sequence_length}

    def bert_module(query, key, value, i):
        attention_output = layers.MultiHeadAttention(
            num_heads=NUM_HEAD, key_dim=EMBED_DIM // NUM_HEAD,
            name=f"encoder_{i}_multiheadattention")(query, key, value)
        attention_output = layers.Dropout(0.1, name=f"encoder_{i}_att_dropout")(
            attention_output)
        attention_output = layers.LayerNormalization(
            epsilon=1e-6, name=f"encoder_{i}_att_layernormalization")(
            query + attention_output)
        ffn = keras.Sequential([layers.Dense(FF_DIM, activation="relu"),
                                layers.Dense(EMBED_DIM)], name=f"encoder_{i}_ffn")
        ffn_output = ffn(attention_output)
        ffn_output = layers.Dropout(0.1, name=f"encoder_{i}_ffn_dropout")(ffn_output)
        sequence_output = layers.LayerNormalization(
            epsilon=1e-6, name=f"encoder_{i}_ffn_layernormalization")(
            attention_output + ffn_output)
        return sequence_output

    loss_fn = keras.losses.SparseCategoricalCrossentropy(reduction=None)
    loss_tracker = keras.metrics.Mean(name="loss")

    class MaskedLanguageModel(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
            loss = loss_fn(y, y_pred, sample_weight)
            loss_tracker.update_state(loss, sample_weight=sample_weight)
            return keras.ops.sum(loss)

        def compute_metrics(self, x, y, y_pred, sample_weight):
            return {"loss": loss_tracker.result()}

        @property
        def metrics(self):
            return [loss_tracker]

    def create_masked_language_bert_model():
        inputs = layers.Input((MAX_LEN,), dtype="int64")
        word_embeddings = layers.Embedding(VOCAB_SIZE, EMBED_DIM, name="word_embedding")(
            inputs)
        position_embeddings = PositionEmbedding(sequence_length=MAX_LEN)(word_embeddings)
        embeddings = word_embeddings + position_embeddings
        encoder_output = embeddings
        for i in range(NUM_LAYERS):
            encoder_output = bert_module(encoder_output, encoder_output, encoder_output, i)
        mlm_output = layers.Dense(VOCAB_SIZE, name="mlm_cls", activation="softmax")(
            encoder_output)
        mlm_model = MaskedLanguageModel(inputs, mlm_output, name="masked_bert_model")
        optimizer = keras.optimizers.Adam(learning_rate=0.01)
        mlm_model.compile(optimizer=optimizer)
        return mlm_model

    return create_masked_language_bert_model, MaskedLanguageModel, PositionEmbedding


def program(keras, directory, weights=None):
    rng = np.random.default_rng(0)
    encoded = rng.integers(3, mask_token_id, (48, MAX_LEN))
    x_masked_train, y_masked_labels, sample_weights = get_masked_input_and_labels(encoded, rng)
    keras.utils.set_random_seed(0)
    create_model, MaskedLanguageModel, PositionEmbedding = define(keras)
    bert_masked_model = create_model()
    if weights is not None:
        set_layer_weights(bert_masked_model, weights)
    initial = layer_weights(bert_masked_model)
    before = bert_masked_model.predict(x_masked_train[:4], verbose=0)
    history = bert_masked_model.fit(x_masked_train, y_masked_labels,
                                    sample_weight=sample_weights, batch_size=16, epochs=3,
                                    verbose=0)
    path = os.path.join(directory, "bert_mlm_imdb.keras")
    bert_masked_model.save(path)
    mlm_model = keras.models.load_model(path, custom_objects={
        "MaskedLanguageModel": MaskedLanguageModel, "PositionEmbedding": PositionEmbedding})
    reloaded_same = np.allclose(mlm_model.predict(x_masked_train[:4], verbose=0),
                                bert_masked_model.predict(x_masked_train[:4], verbose=0),
                                rtol=1e-6, atol=1e-7)
    pretrained_bert_model = keras.Model(
        mlm_model.input, mlm_model.get_layer("encoder_0_ffn_layernormalization").output)
    pretrained_bert_model.trainable = False
    inputs = keras.layers.Input((MAX_LEN,), dtype="int64")
    sequence_output = pretrained_bert_model(inputs)
    pooled_output = keras.layers.GlobalMaxPooling1D()(sequence_output)
    hidden_layer = keras.layers.Dense(8, activation="relu")(pooled_output)
    outputs = keras.layers.Dense(1, activation="sigmoid")(hidden_layer)
    classifer_model = keras.Model(inputs, outputs, name="classification")
    classifer_model.compile(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy",
                            metrics=["accuracy"])
    frozen = [np.array(w) for w in pretrained_bert_model.get_weights()]
    labels = (encoded[:, 0] > 15).astype("float32")
    classifer_model.fit(encoded, labels, epochs=2, batch_size=16, verbose=0)
    frozen_kept = all(np.array_equal(a, np.array(b)) for a, b in
                      zip(frozen, pretrained_bert_model.get_weights(), strict=True))
    pretrained_bert_model.trainable = True
    classifer_model.compile(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy",
                            metrics=["accuracy"])
    trainable_counts = len(classifer_model.trainable_weights)
    classifer_model.fit(encoded, labels, epochs=1, batch_size=16, verbose=0)
    return {"initial": initial, "before": before, "history": history.history,
            "reloaded_same": reloaded_same, "frozen_kept": frozen_kept,
            "trainable_counts": trainable_counts,
            "sample_weights_mean": float(sample_weights.mean())}


def check(result):
    assert 0.05 < result["sample_weights_mean"] < 0.3
    history = result["history"]
    assert set(history) == {"loss"} and history["loss"][-1] < history["loss"][0]
    assert result["reloaded_same"] and result["frozen_kept"]
    # Unfrozen: embeddings (2), attention (8), 2 LayerNorms x 2, ffn (4), head Dense x 2 (4).
    assert result["trainable_counts"] == 2 + 8 + 4 + 4 + 4


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, str(tmp_path)))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, str(tmp_path)))


def test_same_weights_same_predictions_as_keras(real_keras, tmp_path):
    (tmp_path / "keras").mkdir()
    (tmp_path / "hocsau").mkdir()
    theirs = program(real_keras, str(tmp_path / "keras"))
    ours = program(hocsau, str(tmp_path / "hocsau"), weights=theirs["initial"])
    assert_nested_close(ours["before"], theirs["before"], rtol=1e-5, atol=1e-6)
