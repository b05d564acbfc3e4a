"""keras.io example "Large-scale multi-label text classification" (keras-io
examples/nlp/multi_label_classification.py), adapted to generated abstracts and term lists
instead of the arXiv csv: a StringLookup with `output_mode="multi_hot"` adapted on the
lists of terms (ragged: a Python list of lists instead of `tf.ragged.constant`) and the
example's `invert_multi_hot`, a TextVectorization with `ngrams=2` and `output_mode="tf_idf"`,
the shallow sigmoid MLP trained with binary crossentropy, and the inference model
`keras.Sequential([text_vectorizer, shallow_mlp_model])` predicting on raw strings.

Keras's StringLookup and TextVectorization need TensorFlow, and `tf.data` is replaced by numpy
arrays: the preprocessing runs on hocsau only; the MLP runs on both libraries from the same
vectorized arrays and weights."""

import numpy as np
import pandas as pd
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

TERMS = ["cs.LG", "cs.CV", "stat.ML", "cs.AI"]
WORDS = {"cs.LG": ["learning", "gradient"], "cs.CV": ["image", "pixels"],
         "stat.ML": ["bayesian", "prior"], "cs.AI": ["agent", "planning"]}
FILLER = ["we", "propose", "a", "method", "for", "the", "task", "of"]


def arxiv_frame(n=80, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        terms = sorted(rng.choice(TERMS, size=rng.integers(1, 3), replace=False).tolist())
        words = list(rng.choice(FILLER, size=6)) + [w for t in terms for w in WORDS[t]]
        rng.shuffle(words)
        rows.append({"summaries": " ".join(words), "terms": terms})
    return pd.DataFrame(rows)


def preprocess(layers):
    train_df, test_df = arxiv_frame(), arxiv_frame(24, seed=1)
    lookup = layers.StringLookup(output_mode="multi_hot")
    lookup.adapt(list(train_df["terms"].values))
    vocab = lookup.get_vocabulary()

    def invert_multi_hot(encoded_labels):
        """Reverse a single multi-hot encoded label to a tuple of vocab terms."""
        hot_indices = np.argwhere(encoded_labels == 1.0)[..., 0]
        return np.take(vocab, hot_indices)

    sample_label = train_df["terms"].iloc[0]
    label_binarized = lookup([sample_label])

    def make_arrays(dataframe):
        labels = list(dataframe["terms"].values)
        label_binarized = lookup(labels).numpy()
        return dataframe["summaries"].values, label_binarized

    vocabulary = set()
    train_df["summaries"].str.lower().str.split().apply(vocabulary.update)
    vocabulary_size = len(vocabulary)
    text_vectorizer = layers.TextVectorization(max_tokens=vocabulary_size, ngrams=2,
                                               output_mode="tf_idf")
    train_text, train_labels = make_arrays(train_df)
    test_text, test_labels = make_arrays(test_df)
    text_vectorizer.adapt(train_text)
    return {"lookup": lookup, "vocab": vocab, "invert_multi_hot": invert_multi_hot,
            "sample": (sample_label, np.asarray(label_binarized)),
            "text_vectorizer": text_vectorizer, "train": (train_text, train_labels),
            "test": (test_text, test_labels),
            "train_x": np.asarray(text_vectorizer(train_text)),
            "test_x": np.asarray(text_vectorizer(test_text))}


def make_model(keras, num_labels):
    layers = keras.layers
    return keras.Sequential([layers.Dense(32, activation="relu"),
                             layers.Dense(16, activation="relu"),
                             layers.Dense(num_labels, activation="sigmoid")])


def mlp_program(keras, data, weights=None):
    keras.utils.set_random_seed(0)
    shallow_mlp_model = make_model(keras, data["lookup"].vocabulary_size())
    shallow_mlp_model.compile(loss="binary_crossentropy", optimizer="adam",
                              metrics=["binary_accuracy"])
    shallow_mlp_model.build((None, data["train_x"].shape[1]))
    if weights is not None:
        set_layer_weights(shallow_mlp_model, weights)
    initial = layer_weights(shallow_mlp_model)
    history = shallow_mlp_model.fit(data["train_x"], data["train"][1], batch_size=16,
                                    epochs=5, shuffle=False,
                                    validation_data=(data["test_x"], data["test"][1]),
                                    verbose=0)
    _, binary_acc = shallow_mlp_model.evaluate(data["test_x"], data["test"][1], verbose=0)
    return shallow_mlp_model, {"initial": initial, "history": history.history,
                               "binary_acc": binary_acc}


def test_label_binarization_and_inversion():
    data = preprocess(hocsau.layers)
    assert data["vocab"][0] == "[UNK]" and sorted(data["vocab"][1:]) == sorted(TERMS)
    sample_label, binarized = data["sample"]
    assert binarized.shape == (1, len(TERMS) + 1)
    assert sorted(data["invert_multi_hot"](binarized[0]).tolist()) == sample_label
    labels = data["train"][1]
    assert labels.shape == (80, len(TERMS) + 1) and labels[:, 0].sum() == 0
    assert labels.sum(axis=1).min() == 1 and labels.sum(axis=1).max() == 2


def test_tf_idf_bigrams():
    data = preprocess(hocsau.layers)
    vectorizer = data["text_vectorizer"]
    vocabulary = vectorizer.get_vocabulary()
    # max_tokens is the number of distinct words: the frequent unigrams and bigrams fill it.
    words = {w for row in data["train"][0] for w in row.split()}
    assert vocabulary[0] == "[UNK]" and len(vocabulary) == len(words)
    assert data["train_x"].shape == (80, vectorizer.vocabulary_size())
    assert data["train_x"].dtype == np.float32 and (data["train_x"] >= 0).all()


def test_program_on_hocsau_with_inference_model():
    data = preprocess(hocsau.layers)
    shallow_mlp_model, result = mlp_program(hocsau, data)
    history = result["history"]
    assert set(history) == {"loss", "binary_accuracy", "val_loss", "val_binary_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    model_for_inference = hocsau.Sequential([data["text_vectorizer"], shallow_mlp_model])
    text_batch = data["test"][0][:8]
    predicted_probabilities = model_for_inference.predict(text_batch, verbose=0)
    np.testing.assert_allclose(
        predicted_probabilities, shallow_mlp_model.predict(data["test_x"][:8], verbose=0),
        rtol=1e-6)
    top_3_labels = [x for _, x in sorted(
        zip(predicted_probabilities[0], data["lookup"].get_vocabulary(), strict=True),
        key=lambda pair: pair[0], reverse=True)][:3]
    assert len(top_3_labels) == 3 and set(top_3_labels) <= set(data["vocab"])


def test_same_weights_same_training_as_keras(real_keras):
    data = preprocess(hocsau.layers)
    _, theirs = mlp_program(real_keras, data)
    _, ours = mlp_program(hocsau, data, weights=theirs["initial"])
    assert_nested_close(ours["history"], theirs["history"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours["binary_acc"], theirs["binary_acc"], rtol=1e-6)
