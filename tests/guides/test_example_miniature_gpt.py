"""keras.io example "Text generation with a miniature GPT" (keras-io
examples/generative/text_generation_with_miniature_gpt.py, Keras 3 version), adapted to a
generated corpus instead of the IMDB files: TextVectorization with a custom standardization,
shifted language-model inputs and labels, `causal_attention_mask` built with `ops.tile`, a
TransformerBlock whose MultiHeadAttention takes it, a model with two outputs compiled with
`loss=[loss_fn, None]` and fitted on the labels of the first output only, and the
`TextGenerator` callback (which never calls `super().__init__()`) sampling with `ops.top_k`
from `self.model.predict` at the end of each epoch.

`tf.data` and `tf.strings` are replaced by numpy arrays and `re`; Keras's TextVectorization
needs TensorFlow, so hocsau's vectorizes the text for both runs."""

import re
import string

import numpy as np
from guide_helpers import as_numpy, assert_nested_close, layer_weights, set_layer_weights

import hocsau

vocab_size, maxlen, embed_dim, num_heads, feed_forward_dim = 30, 8, 8, 2, 8
WORDS = ["the", "movie", "was", "great", "bad", "actor", "plot", "and", "i", "liked", "it",
         "film", "scene", "music", "story", "long", "short", "fun", "dull", "we", "saw", "a",
         "very", "not", "cast", "ending", "script", "funny", "sad", "good"]


def custom_standardization(input_string):
    """Remove html line-break tags and handle punctuation"""
    lowercased = input_string.lower()
    stripped_html = lowercased.replace("<br />", " ")
    return re.sub(f"([{string.punctuation}])", r" \1", stripped_html)


def corpus():
    rng = np.random.default_rng(0)
    return [" ".join(rng.choice(WORDS, size=rng.integers(5, 12))).capitalize() + ".<br />"
            for _ in range(48)]


def vectorize():
    """The vocabulary fills all `vocab_size - 1` slots, as the IMDB one does."""
    vectorize_layer = hocsau.layers.TextVectorization(
        standardize=custom_standardization, max_tokens=vocab_size - 1, output_mode="int",
        output_sequence_length=maxlen + 1)
    text = corpus()
    vectorize_layer.adapt(text)
    vocab = vectorize_layer.get_vocabulary()
    tokenized_sentences = as_numpy(vectorize_layer(np.array(text)[:, None]))
    x = tokenized_sentences[:, :-1]
    y = tokenized_sentences[:, 1:]
    word_to_index = {word: index for index, word in enumerate(vocab)}
    start_tokens = [word_to_index.get(_, 1) for _ in "the movie".split()]
    return x, y, vocab, start_tokens


def define(keras):
    layers, ops = keras.layers, keras.ops

    def causal_attention_mask(batch_size, n_dest, n_src, dtype):
        i = ops.arange(n_dest)[:, None]
        j = ops.arange(n_src)
        m = i >= j - n_src + n_dest
        mask = ops.cast(m, dtype)
        mask = ops.reshape(mask, [1, n_dest, n_src])
        mult = ops.concatenate(
            [ops.expand_dims(batch_size, -1), ops.convert_to_tensor([1, 1])], 0)
        return ops.tile(mask, mult)

    class TransformerBlock(layers.Layer):
        def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
            super().__init__()
            self.att = layers.MultiHeadAttention(num_heads, embed_dim)
            self.ffn = keras.Sequential(
                [layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
            self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
            self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
            self.dropout1 = layers.Dropout(rate)
            self.dropout2 = layers.Dropout(rate)

        def call(self, inputs):
            input_shape = ops.shape(inputs)
            batch_size = input_shape[0]
            seq_len = input_shape[1]
            causal_mask = causal_attention_mask(batch_size, seq_len, seq_len, "bool")
            attention_output = self.att(inputs, inputs, attention_mask=causal_mask)
            attention_output = self.dropout1(attention_output)
            out1 = self.layernorm1(inputs + attention_output)
            ffn_output = self.ffn(out1)
            ffn_output = self.dropout2(ffn_output)
            return self.layernorm2(out1 + ffn_output)

    class TokenAndPositionEmbedding(layers.Layer):
        def __init__(self, maxlen, vocab_size, embed_dim):
            super().__init__()
            self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
            self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

        def call(self, x):
            maxlen = ops.shape(x)[-1]
            positions = ops.arange(0, maxlen, 1)
            positions = self.pos_emb(positions)
            x = self.token_emb(x)
            return x + positions

    def create_model():
        inputs = layers.Input(shape=(maxlen,), dtype="int32")
        embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
        x = embedding_layer(inputs)
        transformer_block = TransformerBlock(embed_dim, num_heads, feed_forward_dim)
        x = transformer_block(x)
        outputs = layers.Dense(vocab_size)(x)
        model = keras.Model(inputs=inputs, outputs=[outputs, x])
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        model.compile("adam", loss=[loss_fn, None])
        return model

    class TextGenerator(keras.callbacks.Callback):
        def __init__(self, max_tokens, start_tokens, index_to_word, top_k=10, print_every=1):
            self.max_tokens = max_tokens
            self.start_tokens = start_tokens
            self.index_to_word = index_to_word
            self.print_every = print_every
            self.k = top_k
            self.texts = []

        def sample_from(self, logits):
            logits, indices = ops.top_k(logits, k=self.k, sorted=True)
            indices = np.asarray(indices).astype("int32")
            preds = keras.activations.softmax(ops.expand_dims(logits, 0))[0]
            preds = np.asarray(preds).astype("float32")
            return np.random.choice(indices, p=preds / preds.sum())

        def detokenize(self, number):
            return self.index_to_word[number]

        def on_epoch_end(self, epoch, logs=None):
            start_tokens = [_ for _ in self.start_tokens]
            if (epoch + 1) % self.print_every != 0:
                return
            num_tokens_generated = 0
            tokens_generated = []
            while num_tokens_generated <= self.max_tokens:
                pad_len = maxlen - len(start_tokens)
                sample_index = len(start_tokens) - 1
                if pad_len < 0:
                    x = start_tokens[:maxlen]
                    sample_index = maxlen - 1
                elif pad_len > 0:
                    x = start_tokens + [0] * pad_len
                else:
                    x = start_tokens
                x = np.array([x])
                y, _ = self.model.predict(x, verbose=0)
                sample_token = self.sample_from(y[0][sample_index])
                tokens_generated.append(sample_token)
                start_tokens.append(sample_token)
                num_tokens_generated = len(tokens_generated)
            txt = " ".join([self.detokenize(_) for _ in self.start_tokens + tokens_generated])
            self.texts.append(txt)

    return create_model, TextGenerator, causal_attention_mask


def program(keras, weights=None, **fit_options):
    x, y, vocab, start_tokens = vectorize()
    keras.utils.set_random_seed(0)
    create_model, TextGenerator, causal_attention_mask = define(keras)
    model = create_model()
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    logits, embeddings = model.predict(x[:4], verbose=0)
    evaluated = model.evaluate(x, y, verbose=0, return_dict=True)
    text_gen_callback = TextGenerator(6, start_tokens, vocab)
    history = model.fit(x, y, verbose=0, epochs=3, batch_size=16, callbacks=[text_gen_callback],
                        **fit_options)
    mask = keras.ops.convert_to_numpy(causal_attention_mask(2, 3, 3, "int32"))
    return {"initial": initial, "before": {"logits": logits, "embeddings": embeddings,
                                           "evaluated": evaluated},
            "history": history.history, "texts": text_gen_callback.texts, "mask": mask,
            "start": [vocab[t] for t in start_tokens]}


def check(result):
    assert result["before"]["logits"].shape == (4, maxlen, vocab_size)
    assert result["before"]["embeddings"].shape == (4, maxlen, embed_dim)
    assert set(result["before"]["evaluated"]) == {"loss"}
    np.testing.assert_array_equal(result["mask"], [[[1, 0, 0], [1, 1, 0], [1, 1, 1]]] * 2)
    history = result["history"]
    assert set(history) == {"loss"} and history["loss"][-1] < history["loss"][0]
    assert result["start"] == ["the", "movie"]
    assert len(result["texts"]) == 3
    assert all(text.startswith("the movie ") and len(text.split(" ")) == 2 + 7
               for text in result["texts"])


def test_causal_masking_hides_the_future():
    """Changing a later token leaves the outputs at earlier positions unchanged."""
    create_model = define(hocsau)[0]
    model = create_model()
    x, _, _, _ = vectorize()
    changed = x[:2].copy()
    changed[:, -1] = (changed[:, -1] + 1) % vocab_size
    first, second = model.predict(x[:2], verbose=0)[0], model.predict(changed, verbose=0)[0]
    np.testing.assert_allclose(first[:, :-1], second[:, :-1], rtol=1e-5, atol=1e-6)
    assert not np.allclose(first[:, -1], second[:, -1])


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_outputs_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours["before"], theirs["before"], rtol=1e-5, atol=1e-6)
