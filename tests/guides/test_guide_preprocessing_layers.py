"""keras.io guide "Working with preprocessing layers" (keras-io guides/preprocessing_layers.py),
adapted: Normalization adapted to data (its `mean`/`variance`), Discretization, CategoryEncoding
(one-hot, multi-hot, count), StringLookup and IntegerLookup with given and adapted
vocabularies, TextVectorization (int sequences, multi-hot and TF-IDF bigrams, both spellings
"tf_idf"/"tf-idf") inside a functional model trained on its output, and the model exported
with the preprocessing inside it.

Keras's lookup and text layers need TensorFlow, which the test environment lacks, so
`text_program` is checked against the values the guide documents (and the lookup layers'
TF-recorded fixtures elsewhere); `numeric_program` runs on both libraries."""

import numpy as np
from guide_helpers import as_numpy, assert_nested_close

import hocsau

TEXTS = ["The Brain is wider than the Sky", "For put them side by side",
         "The one the other will contain", "With ease and You beside"]


def numeric_program(keras):
    layers = keras.layers
    data = np.array([[0.1, 0.2, 0.3], [0.8, 0.9, 1.0], [1.5, 1.6, 1.7]], "float32")
    normalizer = layers.Normalization()
    normalizer.adapt(data)
    normalized = as_numpy(normalizer(data))
    given = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0])
    given_output = given(data)
    images = np.random.default_rng(0).random((4, 5, 5, 3)).astype("float32")
    image_normalizer = layers.Normalization(axis=-1)
    image_normalizer.adapt(images)
    discretize = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    return {"normalized": normalized, "mean": normalizer.mean, "variance": normalizer.variance,
            "given_mean": given.mean, "given_output": given_output,
            "image_mean": image_normalizer.mean, "image_output": image_normalizer(images),
            "bins": discretize(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])),
            "one_hot": layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")(
                np.array([3, 2, 0, 1])),
            "multi_hot": layers.CategoryEncoding(num_tokens=4, output_mode="multi_hot")(
                np.array([[0, 1], [0, 0], [1, 2], [3, 1]])),
            "count": layers.CategoryEncoding(num_tokens=4, output_mode="count")(
                np.array([[0, 1, 1], [3, 3, 3]]))}


def check_numeric(result):
    normalized = result["normalized"]
    np.testing.assert_allclose(normalized.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(normalized.std(axis=0), 1.0, rtol=1e-5)
    np.testing.assert_allclose(as_numpy(result["mean"]), [[0.8, 0.9, 1.0]], rtol=1e-6)
    assert as_numpy(result["variance"]).shape == (1, 3)
    np.testing.assert_array_equal(as_numpy(result["given_mean"]), [[1.0, 2.0, 3.0]])
    assert as_numpy(result["image_mean"]).shape == (1, 1, 1, 3)
    np.testing.assert_array_equal(as_numpy(result["bins"]), [[0, 2, 3, 1], [1, 3, 2, 1]])
    np.testing.assert_array_equal(as_numpy(result["one_hot"]), np.eye(4)[[3, 2, 0, 1]])
    np.testing.assert_array_equal(as_numpy(result["multi_hot"]),
                                  [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_array_equal(as_numpy(result["count"]), [[1, 2, 0, 0], [0, 0, 0, 3]])


def lookup_program(keras):
    layers = keras.layers
    vocab = ["a", "b", "c", "d"]
    string_lookup = layers.StringLookup(vocabulary=vocab)
    inverse = layers.StringLookup(vocabulary=vocab, invert=True)
    ids = string_lookup(np.array([["a", "c", "d"], ["d", "z", "b"]]))
    adapted = layers.StringLookup()
    adapted.adapt(np.array([["a", "c", "d"], ["d", "z", "b"]]))
    integer_lookup = layers.IntegerLookup()
    integer_lookup.adapt(np.array([[12, 1138, 42], [42, 1000, 36]]))
    return {"ids": ids, "inverse": as_numpy(inverse(ids)).tolist(),
            "adapted_vocabulary": adapted.get_vocabulary(),
            "integer_vocabulary": integer_lookup.get_vocabulary(),
            "integer_ids": integer_lookup(np.array([[12, 1138, 42], [42, 1000, 36]])),
            "one_hot_lookup": layers.StringLookup(vocabulary=vocab, output_mode="one_hot")(
                np.array(["a", "b", "z"]))}


def text_program(keras):
    """TextVectorization as the guide uses it, then inside a model trained on its output."""
    layers = keras.layers
    vectorizer = layers.TextVectorization()
    vectorizer.adapt(TEXTS)
    sequences = vectorizer(TEXTS)
    tf_idf = {}
    for spelling in ("tf_idf", "tf-idf"):
        layer = layers.TextVectorization(output_mode=spelling, ngrams=2)
        layer.adapt(TEXTS)
        tf_idf[spelling] = (layer.get_config()["output_mode"], as_numpy(layer(TEXTS)))
    multi_hot = layers.TextVectorization(output_mode="multi_hot", ngrams=2)
    multi_hot.adapt(TEXTS)
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(multi_hot.vocabulary_size(),))
    x = layers.Dense(4, activation="relu")(inputs)
    model = keras.Model(inputs, layers.Dense(1)(x))
    model.compile(optimizer="rmsprop", loss="mse")
    features = multi_hot(TEXTS)
    targets = np.array([[1.0], [0.0], [1.0], [0.0]], "float32")
    history = model.fit(features, targets, epochs=5, verbose=0)
    string_inputs = keras.Input(shape=(1,), dtype="string")
    end_to_end = keras.Model(string_inputs, model(multi_hot(string_inputs)))
    return {"vocabulary": vectorizer.get_vocabulary(), "sequences": as_numpy(sequences),
            "tf_idf": tf_idf, "multi_hot_size": multi_hot.vocabulary_size(),
            "loss": history.history["loss"],
            "end_to_end": as_numpy(end_to_end(np.array([[t] for t in TEXTS]))),
            "direct": as_numpy(model(features))}


def check_lookup(result):
    np.testing.assert_array_equal(as_numpy(result["ids"]), [[1, 3, 4], [4, 0, 2]])
    assert result["inverse"] == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    assert result["adapted_vocabulary"] == ["[UNK]", "d", "z", "c", "b", "a"]
    assert result["integer_vocabulary"] == [-1, 42, 1138, 1000, 36, 12]
    np.testing.assert_array_equal(as_numpy(result["integer_ids"]), [[5, 2, 1], [1, 3, 4]])
    np.testing.assert_array_equal(as_numpy(result["one_hot_lookup"]), np.eye(5)[[1, 2, 0]])


def check_text(result):
    vocabulary = result["vocabulary"]
    assert vocabulary[:4] == ["", "[UNK]", "the", "side"]
    assert len(vocabulary) == 2 + len(set(" ".join(TEXTS).lower().split()))
    sequences = result["sequences"]
    assert sequences.shape == (4, 7)
    assert [vocabulary[i] for i in sequences[0]] == "the brain is wider than the sky".split()
    assert sequences[1, -1] == 0  # "for put them side by side" is padded to 7
    (mode, underscore), (other_mode, dash) = result["tf_idf"]["tf_idf"], result["tf_idf"]["tf-idf"]
    assert mode == other_mode == "tf_idf"
    np.testing.assert_array_equal(underscore, dash)
    assert underscore.shape == (4, result["multi_hot_size"])
    assert result["loss"][-1] < result["loss"][0]
    np.testing.assert_allclose(result["end_to_end"], result["direct"], rtol=1e-6)


def test_numeric_program_on_keras(real_keras):
    check_numeric(numeric_program(real_keras))


def test_numeric_program_on_hocsau():
    check_numeric(numeric_program(hocsau))


def test_numeric_program_same_as_keras(real_keras):
    assert_nested_close(numeric_program(hocsau), numeric_program(real_keras), rtol=1e-5)


def test_lookup_program_on_hocsau():
    check_lookup(lookup_program(hocsau))


def test_text_program_on_hocsau():
    check_text(text_program(hocsau))
