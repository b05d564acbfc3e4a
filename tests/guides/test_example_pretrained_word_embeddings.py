"""keras.io example "Using pre-trained word embeddings" (keras-io
examples/nlp/pretrained_word_embeddings.py), adapted to generated newsgroup-like posts and a
small generated "GloVe" file instead of the downloads: TextVectorization adapted on the
training posts, `vectorizer([["the cat sat on the mat"]]).numpy()`, the word index from the
vocabulary, the embedding matrix read from the text file (`np.array(coefs.split())` for the
example's deprecated `np.fromstring`), a frozen
Embedding (`trainable=False`, `build((1,))`, `set_weights([embedding_matrix])`; the example's
older form `embeddings_initializer=keras.initializers.Constant(embedding_matrix)` too), the
Conv1D / MaxPooling1D classifier with the "acc" metric, and the end-to-end model on a string
input.

Keras's TextVectorization needs TensorFlow (and `tf.data` is replaced by the list of posts),
so the text side runs on hocsau; the classifier runs on both libraries from the same arrays
and weights. The example's `np.argmax(probabilities[0])` reads a TensorFlow tensor; a model
called directly on torch returns a tensor that tracks gradients, which numpy refuses (on
Keras's torch backend too), so the probabilities go through `ops.convert_to_numpy` first."""

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

CLASSES = {"comp.graphics": ["graphics", "pixel", "render", "modeling", "3d"],
           "rec.autos": ["engine", "wheel", "car", "brake", "fuel"],
           "sci.space": ["orbit", "rocket", "nasa", "moon", "launch"]}
COMMON = ["the", "a", "is", "about", "this", "message", "and", "on", "cat", "sat", "mat"]
SEQUENCE_LENGTH, embedding_dim = 150, 6


def samples_and_labels(n=60):
    rng = np.random.default_rng(0)
    class_names = sorted(CLASSES)
    samples, labels = [], []
    for i in range(n):
        label = i % len(class_names)
        words = rng.choice(COMMON + CLASSES[class_names[label]] * 2, size=rng.integers(20, 60))
        samples.append(" ".join(words).capitalize() + ".")
        labels.append(label)
    return class_names, samples, labels


def write_glove(path):
    rng = np.random.default_rng(1)
    words = COMMON + [w for ws in CLASSES.values() for w in ws] + ["unused"]
    with open(path, "w") as f:
        for word in words[:-3] + words[-1:]:  # a few vocabulary words have no vector
            f.write(word + " " + " ".join(f"{v:.4f}" for v in rng.normal(size=embedding_dim)))
            f.write("\n")


def prepare(directory):
    class_names, samples, labels = samples_and_labels()
    seed = 1337
    rng = np.random.RandomState(seed)
    rng.shuffle(samples)
    rng = np.random.RandomState(seed)
    rng.shuffle(labels)
    validation_split = 0.2
    num_validation_samples = int(validation_split * len(samples))
    train_samples = samples[:-num_validation_samples]
    val_samples = samples[-num_validation_samples:]
    train_labels = labels[:-num_validation_samples]
    val_labels = labels[-num_validation_samples:]
    vectorizer = hocsau.layers.TextVectorization(max_tokens=20000,
                                                 output_sequence_length=SEQUENCE_LENGTH)
    vectorizer.adapt(train_samples)
    output = vectorizer([["the cat sat on the mat"]])
    voc = vectorizer.get_vocabulary()
    word_index = dict(zip(voc, range(len(voc)), strict=True))
    path_to_glove_file = f"{directory}/glove.6B.{embedding_dim}d.txt"
    write_glove(path_to_glove_file)
    embeddings_index = {}
    with open(path_to_glove_file) as f:
        for line in f:
            word, coefs = line.split(maxsplit=1)
            embeddings_index[word] = np.array(coefs.split(), dtype="f")
    num_tokens = len(voc) + 2
    hits = misses = 0
    embedding_matrix = np.zeros((num_tokens, embedding_dim))
    for word, i in word_index.items():
        embedding_vector = embeddings_index.get(word)
        if embedding_vector is not None:
            embedding_matrix[i] = embedding_vector
            hits += 1
        else:
            misses += 1
    x_train = vectorizer(np.array([[s] for s in train_samples])).numpy()
    x_val = vectorizer(np.array([[s] for s in val_samples])).numpy()
    return {"class_names": class_names, "vectorizer": vectorizer, "output": output.numpy(),
            "word_index": word_index, "embedding_matrix": embedding_matrix,
            "hits": hits, "misses": misses, "train": (x_train, np.array(train_labels)),
            "val": (x_val, np.array(val_labels))}


def build(keras, embedding_matrix, num_classes, constant_initializer=False):
    layers = keras.layers
    num_tokens = embedding_matrix.shape[0]
    if constant_initializer:
        embedding_layer = layers.Embedding(
            num_tokens, embedding_dim,
            embeddings_initializer=keras.initializers.Constant(embedding_matrix),
            trainable=False)
    else:
        embedding_layer = layers.Embedding(num_tokens, embedding_dim, trainable=False)
        embedding_layer.build((1,))
        embedding_layer.set_weights([embedding_matrix])
    int_sequences_input = keras.Input(shape=(None,), dtype="int32")
    embedded_sequences = embedding_layer(int_sequences_input)
    x = layers.Conv1D(8, 5, activation="relu")(embedded_sequences)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(8, 5, activation="relu")(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(8, 5, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(8, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    preds = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(int_sequences_input, preds), embedding_layer


def program(keras, data, weights=None, constant_initializer=False):
    keras.utils.set_random_seed(0)
    model, embedding_layer = build(keras, data["embedding_matrix"], len(data["class_names"]),
                                   constant_initializer)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    (x_train, y_train), (x_val, y_val) = data["train"], data["val"]
    model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop", metrics=["acc"])
    before = model.predict(x_val, verbose=0)
    history = model.fit(x_train, y_train, batch_size=16, epochs=4, validation_data=(x_val, y_val),
                        verbose=0)
    return model, {"initial": initial, "before": before, "history": history.history,
                   "embeddings": np.array(embedding_layer.get_weights()[0]),
                   "trainable": (len(model.trainable_weights), len(model.non_trainable_weights))}


def check(result, data):
    history = result["history"]
    assert set(history) == {"loss", "acc", "val_loss", "val_acc"}
    assert history["loss"][-1] < history["loss"][0]
    # The frozen embedding keeps the GloVe vectors through training.
    np.testing.assert_allclose(result["embeddings"], data["embedding_matrix"], rtol=1e-6)
    assert result["trainable"] == (10, 1)


def test_vectorization(tmp_path):
    data = prepare(str(tmp_path))
    word_index = data["word_index"]
    assert list(word_index)[:2] == ["", "[UNK]"]
    test = ["the", "cat", "sat", "on", "the", "mat"]
    assert data["output"].shape == (1, SEQUENCE_LENGTH)
    np.testing.assert_array_equal(data["output"][0, :6], [word_index[w] for w in test])
    assert data["output"][0, 6:].sum() == 0
    assert (data["hits"], data["misses"]) == (len(word_index) - 4, 4)
    assert data["train"][0].shape == (48, SEQUENCE_LENGTH)


def test_program_on_keras(real_keras, tmp_path):
    data = prepare(str(tmp_path))
    check(program(real_keras, data)[1], data)


def test_program_on_hocsau_with_end_to_end_model(tmp_path):
    keras = hocsau
    data = prepare(str(tmp_path))
    model, result = program(keras, data)
    check(result, data)
    string_input = keras.Input(shape=(1,), dtype="string")
    x = data["vectorizer"](string_input)
    preds = model(x)
    end_to_end_model = keras.Model(string_input, preds)
    text = "this message is about computer graphics and 3D modeling"
    probabilities = end_to_end_model(keras.ops.convert_to_tensor([[text]]))
    direct = model.predict(data["vectorizer"]([[text]]), verbose=0)
    probabilities = keras.ops.convert_to_numpy(probabilities)
    np.testing.assert_allclose(probabilities, direct, rtol=1e-6)
    assert data["class_names"][np.argmax(probabilities[0])] in data["class_names"]


def test_constant_initializer_form_matches_set_weights(tmp_path):
    data = prepare(str(tmp_path))
    _, by_weights = program(hocsau, data)
    _, by_initializer = program(hocsau, data, weights=by_weights["initial"],
                                constant_initializer=True)
    assert_nested_close(by_initializer["before"], by_weights["before"], rtol=1e-6)
    np.testing.assert_allclose(by_initializer["embeddings"], data["embedding_matrix"],
                               rtol=1e-6)


def test_same_weights_same_predictions_as_keras(real_keras, tmp_path):
    data = prepare(str(tmp_path))
    _, theirs = program(real_keras, data)
    _, ours = program(hocsau, data, weights=theirs["initial"])
    assert_nested_close(ours["before"], theirs["before"], rtol=1e-5, atol=1e-6)
    assert ours["trainable"] == theirs["trainable"]
