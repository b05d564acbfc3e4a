"""Writes `.keras` files with a TextVectorization layer from real Keras, and their outputs.

Keras 3's TextVectorization needs TensorFlow, which the hocsau test environment does not
have, so the files are made once here and read by
tests/saving/test_text_vectorization_keras_file.py. Run it with a Python that has TensorFlow
and Keras 3 (the committed fixtures came from tensorflow 2.21, keras 3.15.1):

    KERAS_BACKEND=tensorflow /work/tfenv/bin/python \
        tests/saving/reference/make_text_vectorization_keras_file.py

It writes, beside this script:
    keras_text_vectorization_int.keras     Sequential: TextVectorization ("int", adapted) ->
                                           Embedding -> GlobalAveragePooling1D -> Dense
    keras_text_vectorization_tf_idf.keras  Sequential: TextVectorization ("tf_idf") -> Dense
    keras_text_vectorization_outputs.json  CORPUS, PROBES and, per file, the vocabulary and
                                           the layer's and the model's outputs on PROBES

The layers are built one by one (not through a string `Input`), so the Sequential config holds
no InputLayer; the model is called on a column of strings, shape (n, 1).
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# Non-ASCII tokens check that the vocabulary file is UTF-8.
CORPUS = [
    "The cat sat on the mat.",
    "THE DOG ate my homework!!! The dog, the DOG.",
    "Tiếng Việt có dấu: Hà Nội, Đà Nẵng.",
    "a cat and a dog and a bird",
]
PROBES = ["the cat", "zebra dog Nội", "", "a bird on a mat and the DOG ate"]
SEQUENCE_LENGTH = 6


def _int_model():
    vectorizer = keras.layers.TextVectorization(max_tokens=24,
                                                output_sequence_length=SEQUENCE_LENGTH)
    vectorizer.adapt(CORPUS)
    embedding = keras.layers.Embedding(24, 4)
    embedding.build((None, SEQUENCE_LENGTH))
    dense = keras.layers.Dense(2)
    dense.build((None, 4))
    return keras.Sequential([vectorizer, embedding, keras.layers.GlobalAveragePooling1D(), dense])


def _tf_idf_model():
    vectorizer = keras.layers.TextVectorization(max_tokens=16, output_mode="tf_idf")
    vectorizer.adapt(CORPUS)
    dense = keras.layers.Dense(3)
    dense.build((None, vectorizer.vocabulary_size()))
    return keras.Sequential([vectorizer, dense])


def _outputs(model) -> dict:
    column = np.array(PROBES)[:, None]
    vectorizer = model.layers[0]
    return {"vocabulary": [str(t) for t in vectorizer.get_vocabulary()],
            "vectorized": np.asarray(vectorizer(column)).tolist(),
            "predicted": np.asarray(model(column)).tolist()}


def main():
    keras.utils.set_random_seed(7)
    results = {"corpus": CORPUS, "probes": PROBES}
    for name, build in (("int", _int_model), ("tf_idf", _tf_idf_model)):
        model = build()
        model.save(os.path.join(HERE, f"keras_text_vectorization_{name}.keras"))
        results[name] = _outputs(model)
    with open(os.path.join(HERE, "keras_text_vectorization_outputs.json"), "w",
              encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
