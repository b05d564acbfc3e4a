"""keras.io example "Text classification from scratch" (keras-io
examples/nlp/text_classification_from_scratch.py), adapted to a small generated review folder:
`text_dataset_from_directory` with a validation split, a custom standardization stripping
"<br />" and punctuation, TextVectorization adapted on the text-only dataset and applied in the
dataset's `map`, the example's Conv1D classifier trained on the vectorized dataset, and the
end-to-end model taking raw strings, evaluated on the raw test dataset.

Keras's text loader and TextVectorization need TensorFlow, so this runs on hocsau only and is
checked against the example's documented behaviour. The example standardizes with
`tf.strings` ops; hocsau's TextVectorization takes a Python `str -> str` callable instead,
so the same standardization is written with `re`."""

import os
import re
import string

import numpy as np

import hocsau

POSITIVE = ["great", "wonderful", "moving", "superb", "fun"]
NEGATIVE = ["boring", "awful", "dull", "weak", "messy"]
NEUTRAL = ["the", "film", "plot", "actor", "scene", "was", "and", "a"]
MAX_FEATURES, SEQUENCE_LENGTH = 60, 40


def write_reviews(directory, count=40):
    rng = np.random.default_rng(0)
    for label, words in (("pos", POSITIVE), ("neg", NEGATIVE)):
        folder = os.path.join(directory, label)
        os.makedirs(folder, exist_ok=True)
        for i in range(count // 2):
            tokens = list(rng.choice(NEUTRAL + words * 2, size=rng.integers(10, 30)))
            text = " ".join(tokens[:5]) + "<br />" + ", ".join(tokens[5:]) + "!"
            with open(os.path.join(folder, f"{i}.txt"), "w", encoding="utf-8") as f:
                f.write(text.capitalize())


def custom_standardization(input_data):
    lowercase = input_data.lower()
    stripped_html = lowercase.replace("<br />", " ")
    return re.sub(f"[{re.escape(string.punctuation)}]", "", stripped_html)


def make_model(keras):
    layers = keras.layers
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(MAX_FEATURES, 16)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(16, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    model = keras.Model(inputs, predictions)
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(1e-2),
                  metrics=["accuracy"])
    return model


def program(keras, directory):
    write_reviews(os.path.join(directory, "train"))
    write_reviews(os.path.join(directory, "test"), count=10)
    keras.utils.set_random_seed(0)
    load = keras.utils.text_dataset_from_directory
    raw_train_ds = load(os.path.join(directory, "train"), batch_size=8,
                        validation_split=0.2, subset="training", seed=1337)
    raw_val_ds = load(os.path.join(directory, "train"), batch_size=8,
                      validation_split=0.2, subset="validation", seed=1337)
    raw_test_ds = load(os.path.join(directory, "test"), batch_size=8)
    vectorize_layer = keras.layers.TextVectorization(
        standardize=custom_standardization, max_tokens=MAX_FEATURES, output_mode="int",
        output_sequence_length=SEQUENCE_LENGTH)
    vectorize_layer.adapt(raw_train_ds.map(lambda x, y: x))

    def vectorize_text(text, label):
        return vectorize_layer(np.expand_dims(text, -1)), label

    train_ds = raw_train_ds.map(vectorize_text).cache().prefetch(buffer_size=10)
    val_ds = raw_val_ds.map(vectorize_text).cache().prefetch(buffer_size=10)
    model = make_model(keras)
    history = model.fit(train_ds, validation_data=val_ds, epochs=4, verbose=0)
    inputs = keras.Input(shape=(1,), dtype="string")
    end_to_end = keras.Model(inputs, model(vectorize_layer(inputs)))
    end_to_end.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    vectorized_batch, _ = next(iter(train_ds))
    return {"class_names": raw_train_ds.class_names,
            "vocabulary": vectorize_layer.get_vocabulary(),
            "vectorized_shape": tuple(vectorized_batch.shape), "history": history.history,
            "test": end_to_end.evaluate(raw_test_ds, verbose=0, return_dict=True),
            "direct_test": model.evaluate(raw_test_ds.map(vectorize_text), verbose=0,
                                          return_dict=True)}


def inspect_program(keras, directory):
    """The example's first look at the data: `text_batch.numpy()[i]`, `label_batch.numpy()`."""
    write_reviews(directory, count=10)
    raw = keras.utils.text_dataset_from_directory(directory, batch_size=4, seed=1337)
    for text_batch, label_batch in raw.take(1):
        return [(text_batch.numpy()[i], label_batch.numpy()[i]) for i in range(4)]


def check(result):
    assert result["class_names"] == ["neg", "pos"]
    vocabulary = result["vocabulary"]
    assert vocabulary[:2] == ["", "[UNK]"] and "<br" not in " ".join(vocabulary)
    assert set(POSITIVE + NEGATIVE) <= set(vocabulary)
    assert result["vectorized_shape"] == (8, SEQUENCE_LENGTH)
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(result["test"][key], result["direct_test"][key], rtol=1e-5)


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, str(tmp_path)))


def test_inspect_program_on_hocsau(tmp_path):
    samples = inspect_program(hocsau, str(tmp_path))
    assert len(samples) == 4
    assert all(isinstance(text, (bytes, str)) and label in (0, 1) for text, label in samples)
