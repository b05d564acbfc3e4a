"""keras.io example "English-to-Spanish translation with a sequence-to-sequence Transformer"
(keras-io examples/nlp/neural_machine_translation_with_transformer.py, Keras 3 version),
adapted to generated sentence pairs over a tiny vocabulary: two TextVectorization layers (the
Spanish one with a custom standardization that also strips "¿"), `PositionalEmbedding` with
`compute_mask`, `TransformerEncoder` / `TransformerDecoder` custom layers with
`supports_masking` (the decoder takes `[x, encoder_outputs]` and unpacks the two propagated
masks into MultiHeadAttention's `query_mask` / `key_mask`, plus a causal `attention_mask` built
with `ops.tile`), the model with dict inputs trained with
`SparseCategoricalCrossentropy(ignore_class=0)`, the greedy decoding loop, and (beyond the
example) the trained model saved and reloaded with its custom layers.

The example builds its datasets with `tf.data` and standardizes with `tf.strings`; TensorFlow is
not installed, so the pairs are vectorized into numpy arrays (fed to `fit` as a dict) and the
standardization is written with `re` on Python strings. Keras's TextVectorization needs
TensorFlow, so hocsau's vectorizes the text for both runs; the models run on each library.
The example's separate `decoder` model is not connected to its `encoded_seq_inputs`, which
Keras 3.15 rejects, so the program leaves it out (a test checks both libraries reject it).
Dropout(0.5) draws differently in the two libraries, so parity is checked before training."""

import os
import random
import re
import string
import warnings

import numpy as np
import pytest
from guide_helpers import as_numpy, assert_nested_close, layer_weights, set_layer_weights

import hocsau

ENGLISH = ["i", "you", "he", "see", "love", "eat", "the", "cat", "dog", "apple", "big", "red"]
SPANISH = ["yo", "tú", "él", "veo", "amo", "como", "el", "gato", "perro", "manzana", "grande",
           "rojo"]
VOCAB_SIZE, SEQUENCE_LENGTH, BATCH_SIZE = 40, 8, 16
EMBED_DIM, LATENT_DIM, NUM_HEADS = 16, 32, 2

strip_chars = string.punctuation + "¿"
strip_chars = strip_chars.replace("[", "")
strip_chars = strip_chars.replace("]", "")


def custom_standardization(input_string):
    lowercase = input_string.lower()
    return re.sub("[%s]" % re.escape(strip_chars), "", lowercase)  # noqa: UP031 (as written)


def text_pairs(count=96):
    rng = random.Random(0)
    pairs = []
    for _ in range(count):
        idx = [rng.randrange(len(ENGLISH)) for _ in range(rng.randint(2, 5))]
        eng = " ".join(ENGLISH[i] for i in idx).capitalize() + rng.choice([".", "?", "!"])
        spa = "¿" + " ".join(SPANISH[i] for i in idx).capitalize() + "?"
        pairs.append((eng, "[start] " + spa + " [end]"))
    return pairs


def vectorizers(train_pairs):
    TextVectorization = hocsau.layers.TextVectorization
    eng_vectorization = TextVectorization(
        max_tokens=VOCAB_SIZE, output_mode="int", output_sequence_length=SEQUENCE_LENGTH)
    spa_vectorization = TextVectorization(
        max_tokens=VOCAB_SIZE, output_mode="int", output_sequence_length=SEQUENCE_LENGTH + 1,
        standardize=custom_standardization)
    eng_vectorization.adapt([pair[0] for pair in train_pairs])
    spa_vectorization.adapt([pair[1] for pair in train_pairs])
    return eng_vectorization, spa_vectorization


def format_dataset(eng, spa, eng_vectorization, spa_vectorization):
    eng = as_numpy(eng_vectorization(eng))
    spa = as_numpy(spa_vectorization(spa))
    return {"encoder_inputs": eng, "decoder_inputs": spa[:, :-1]}, spa[:, 1:]


def define_layers(keras):
    layers, ops = keras.layers, keras.ops

    class TransformerEncoder(layers.Layer):
        def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
            super().__init__(**kwargs)
            self.embed_dim = embed_dim
            self.dense_dim = dense_dim
            self.num_heads = num_heads
            self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.dense_proj = keras.Sequential(
                [layers.Dense(dense_dim, activation="relu"), layers.Dense(embed_dim)])
            self.layernorm_1 = layers.LayerNormalization()
            self.layernorm_2 = layers.LayerNormalization()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            if mask is not None:
                padding_mask = ops.cast(mask[:, None, :], dtype="int32")
            else:
                padding_mask = None
            attention_output = self.attention(
                query=inputs, value=inputs, key=inputs, attention_mask=padding_mask)
            proj_input = self.layernorm_1(inputs + attention_output)
            proj_output = self.dense_proj(proj_input)
            return self.layernorm_2(proj_input + proj_output)

        def get_config(self):
            config = super().get_config()
            config.update({"embed_dim": self.embed_dim, "dense_dim": self.dense_dim,
                           "num_heads": self.num_heads})
            return config

    class PositionalEmbedding(layers.Layer):
        def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):
            super().__init__(**kwargs)
            self.token_embeddings = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
            self.position_embeddings = layers.Embedding(
                input_dim=sequence_length, output_dim=embed_dim)
            self.sequence_length = sequence_length
            self.vocab_size = vocab_size
            self.embed_dim = embed_dim

        def call(self, inputs):
            length = ops.shape(inputs)[-1]
            positions = ops.arange(0, length, 1)
            embedded_tokens = self.token_embeddings(inputs)
            embedded_positions = self.position_embeddings(positions)
            return embedded_tokens + embedded_positions

        def compute_mask(self, inputs, mask=None):
            if mask is None:
                return None
            else:
                return ops.not_equal(inputs, 0)

        def get_config(self):
            config = super().get_config()
            config.update({"sequence_length": self.sequence_length,
                           "vocab_size": self.vocab_size, "embed_dim": self.embed_dim})
            return config

    class TransformerDecoder(layers.Layer):
        def __init__(self, embed_dim, latent_dim, num_heads, **kwargs):
            super().__init__(**kwargs)
            self.embed_dim = embed_dim
            self.latent_dim = latent_dim
            self.num_heads = num_heads
            self.attention_1 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.attention_2 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.dense_proj = keras.Sequential(
                [layers.Dense(latent_dim, activation="relu"), layers.Dense(embed_dim)])
            self.layernorm_1 = layers.LayerNormalization()
            self.layernorm_2 = layers.LayerNormalization()
            self.layernorm_3 = layers.LayerNormalization()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            inputs, encoder_outputs = inputs
            causal_mask = self.get_causal_attention_mask(inputs)
            if mask is None:
                inputs_padding_mask, encoder_outputs_padding_mask = None, None
            else:
                inputs_padding_mask, encoder_outputs_padding_mask = mask
            attention_output_1 = self.attention_1(
                query=inputs, value=inputs, key=inputs, attention_mask=causal_mask,
                query_mask=inputs_padding_mask)
            out_1 = self.layernorm_1(inputs + attention_output_1)
            attention_output_2 = self.attention_2(
                query=out_1, value=encoder_outputs, key=encoder_outputs,
                query_mask=inputs_padding_mask, key_mask=encoder_outputs_padding_mask)
            out_2 = self.layernorm_2(out_1 + attention_output_2)
            proj_output = self.dense_proj(out_2)
            return self.layernorm_3(out_2 + proj_output)

        def get_causal_attention_mask(self, inputs):
            input_shape = ops.shape(inputs)
            batch_size, sequence_length = input_shape[0], input_shape[1]
            i = ops.arange(sequence_length)[:, None]
            j = ops.arange(sequence_length)
            mask = ops.cast(i >= j, dtype="int32")
            mask = ops.reshape(mask, (1, input_shape[1], input_shape[1]))
            mult = ops.concatenate(
                [ops.expand_dims(batch_size, -1), ops.convert_to_tensor([1, 1])], axis=0)
            return ops.tile(mask, mult)

        def get_config(self):
            config = super().get_config()
            config.update({"embed_dim": self.embed_dim, "latent_dim": self.latent_dim,
                           "num_heads": self.num_heads})
            return config

    return TransformerEncoder, PositionalEmbedding, TransformerDecoder


def build(keras):
    layers = keras.layers
    TransformerEncoder, PositionalEmbedding, TransformerDecoder = define_layers(keras)
    encoder_inputs = keras.Input(shape=(None,), dtype="int64", name="encoder_inputs")
    x = PositionalEmbedding(SEQUENCE_LENGTH, VOCAB_SIZE, EMBED_DIM)(encoder_inputs)
    encoder_outputs = TransformerEncoder(EMBED_DIM, LATENT_DIM, NUM_HEADS)(x)
    encoder = keras.Model(encoder_inputs, encoder_outputs)

    decoder_inputs = keras.Input(shape=(None,), dtype="int64", name="decoder_inputs")
    x = PositionalEmbedding(SEQUENCE_LENGTH, VOCAB_SIZE, EMBED_DIM)(decoder_inputs)
    x = TransformerDecoder(EMBED_DIM, LATENT_DIM, NUM_HEADS)([x, encoder_outputs])
    x = layers.Dropout(0.5)(x)
    decoder_outputs = layers.Dense(VOCAB_SIZE, activation="softmax")(x)

    transformer = keras.Model(
        {"encoder_inputs": encoder_inputs, "decoder_inputs": decoder_inputs},
        decoder_outputs, name="transformer")
    return encoder, transformer


def decode_sequence(keras, transformer, input_sentence, vectorization):
    eng_vectorization, spa_vectorization = vectorization
    spa_vocab = spa_vectorization.get_vocabulary()
    spa_index_lookup = dict(zip(range(len(spa_vocab)), spa_vocab, strict=True))
    ops = keras.ops
    tokenized_input_sentence = as_numpy(eng_vectorization([input_sentence]))
    decoded_sentence = "[start]"
    for i in range(SEQUENCE_LENGTH):
        tokenized_target_sentence = as_numpy(spa_vectorization([decoded_sentence]))[:, :-1]
        predictions = transformer({"encoder_inputs": tokenized_input_sentence,
                                   "decoder_inputs": tokenized_target_sentence})
        sampled_token_index = ops.convert_to_numpy(ops.argmax(predictions[0, i, :])).item(0)
        sampled_token = spa_index_lookup[sampled_token_index]
        decoded_sentence += " " + sampled_token
        if sampled_token == "[end]":
            break
    return decoded_sentence


def program(keras, directory, weights=None):
    pairs = text_pairs()
    train_pairs, val_pairs, test_pairs = pairs[:64], pairs[64:80], pairs[80:]
    vectorization = vectorizers(train_pairs)
    train = format_dataset(*zip(*train_pairs, strict=True), *vectorization)
    val = format_dataset(*zip(*val_pairs, strict=True), *vectorization)
    keras.utils.set_random_seed(0)
    encoder, transformer = build(keras)
    if weights is not None:
        set_layer_weights(transformer, weights)
    initial = layer_weights(transformer)
    probe = {name: value[:4] for name, value in train[0].items()}
    before = transformer.predict(probe, verbose=0)
    encoded = encoder.predict(probe["encoder_inputs"], verbose=0)
    transformer.summary(print_fn=lambda *args, **kwargs: None)
    transformer.compile("rmsprop", loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=0),
                        metrics=["accuracy"])
    evaluated = transformer.evaluate(*val, batch_size=BATCH_SIZE, verbose=0, return_dict=True)
    history = transformer.fit(*train, batch_size=BATCH_SIZE, epochs=3, validation_data=val,
                              shuffle=False, verbose=0)
    translations = [decode_sequence(keras, transformer, eng, vectorization)
                    for eng, _ in test_pairs[:2]]
    path = os.path.join(directory, "transformer.keras")
    transformer.save(path)
    custom_objects = {cls.__name__: cls for cls in define_layers(keras)}
    with warnings.catch_warnings():  # Keras warns that the custom layers lack a build()
        warnings.simplefilter("ignore", UserWarning)
        reloaded = keras.models.load_model(path, custom_objects=custom_objects)
    trained = transformer.predict(probe, verbose=0)
    return {"initial": initial, "before": before, "encoded": encoded, "evaluated": evaluated,
            "history": history.history, "translations": translations, "trained": trained,
            "reloaded": reloaded.predict(probe, verbose=0),
            "reloaded_translation": decode_sequence(keras, reloaded, test_pairs[0][0],
                                                    vectorization),
            "transformer_inputs": {k: tuple(t.shape) for k, t in transformer.input.items()},
            "output_shape": transformer.output_shape, "train_shapes": (
                train[0]["encoder_inputs"].shape, train[0]["decoder_inputs"].shape,
                train[1].shape)}


def check(result):
    assert result["train_shapes"] == ((64, SEQUENCE_LENGTH), (64, SEQUENCE_LENGTH),
                                      (64, SEQUENCE_LENGTH))
    assert result["output_shape"] == (None, None, VOCAB_SIZE)
    assert result["transformer_inputs"] == {"encoder_inputs": (None, None),
                                            "decoder_inputs": (None, None)}
    assert result["before"].shape == (4, SEQUENCE_LENGTH, VOCAB_SIZE)
    np.testing.assert_allclose(result["before"].sum(axis=-1), 1.0, rtol=1e-5)
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    # The saved file (custom layers through `custom_objects` and their get_config) predicts
    # and decodes as the trained model does, padding masks included.
    np.testing.assert_allclose(result["reloaded"], result["trained"], rtol=1e-6, atol=1e-7)
    assert result["reloaded_translation"] == result["translations"][0]
    for translation in result["translations"]:
        assert translation.startswith("[start] ")
        assert len(translation.split()) <= SEQUENCE_LENGTH + 1


def test_custom_standardization_strips_inverted_question_mark():
    standardized = custom_standardization("[start] ¿Yo veo el gato? [end]")
    assert standardized == "[start] yo veo el gato [end]"


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, str(tmp_path)))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, str(tmp_path)))


def test_same_weights_same_results_as_keras(real_keras, tmp_path):
    """Masked attention and the masked loss and accuracy agree."""
    (tmp_path / "keras").mkdir()
    (tmp_path / "hocsau").mkdir()
    theirs = program(real_keras, str(tmp_path / "keras"))
    ours = program(hocsau, str(tmp_path / "hocsau"), weights=theirs["initial"])
    for key in ("before", "encoded", "evaluated"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)


def disconnected_decoder(keras):
    """The example's `decoder = keras.Model([decoder_inputs, encoded_seq_inputs], ...)`: its
    output depends on the encoder's input, not on `encoded_seq_inputs`."""
    TransformerEncoder, PositionalEmbedding, TransformerDecoder = define_layers(keras)
    encoder_inputs = keras.Input(shape=(None,), dtype="int64", name="encoder_inputs")
    x = PositionalEmbedding(SEQUENCE_LENGTH, VOCAB_SIZE, EMBED_DIM)(encoder_inputs)
    encoder_outputs = TransformerEncoder(EMBED_DIM, LATENT_DIM, NUM_HEADS)(x)
    decoder_inputs = keras.Input(shape=(None,), dtype="int64", name="decoder_inputs")
    encoded_seq_inputs = keras.Input(shape=(None, EMBED_DIM), name="decoder_state_inputs")
    x = PositionalEmbedding(SEQUENCE_LENGTH, VOCAB_SIZE, EMBED_DIM)(decoder_inputs)
    x = TransformerDecoder(EMBED_DIM, LATENT_DIM, NUM_HEADS)([x, encoder_outputs])
    decoder_outputs = keras.layers.Dense(VOCAB_SIZE, activation="softmax")(x)
    with pytest.raises(ValueError, match="connected"):
        keras.Model([decoder_inputs, encoded_seq_inputs], decoder_outputs)


def test_disconnected_decoder_model_raises_on_keras(real_keras):
    """The example's unused `decoder` model is rejected by Keras 3.15, so the program leaves
    it out; both libraries reject it the same way."""
    disconnected_decoder(real_keras)


def test_disconnected_decoder_model_raises_on_hocsau():
    disconnected_decoder(hocsau)
