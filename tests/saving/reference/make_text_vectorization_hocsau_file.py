"""Writes `.keras` files with a TextVectorization layer from hocsau, and hocsau's outputs.

The files are the hocsau side of the exchange with Keras: check_text_vectorization_in_keras.py
loads them in real Keras (which needs TensorFlow) and compares Keras's outputs with the ones
recorded here. Run both by hand, from the repository root:

    .venv/bin/python tests/saving/reference/make_text_vectorization_hocsau_file.py
    KERAS_BACKEND=tensorflow /work/tfenv/bin/python \
        tests/saving/reference/check_text_vectorization_in_keras.py

It writes, beside this script, models of the same shape as make_text_vectorization_keras_file.py
(same corpus and probes, read from keras_text_vectorization_outputs.json), adapted and
initialized by hocsau:
    hocsau_text_vectorization_int.keras, hocsau_text_vectorization_tf_idf.keras
    hocsau_text_vectorization_outputs.json   per file: the vocabulary and hocsau's outputs
"""

import json
import os

import numpy as np

import hocsau
from hocsau import layers

HERE = os.path.dirname(os.path.abspath(__file__))
SEQUENCE_LENGTH = 6


def int_model(corpus):
    """TextVectorization ("int") -> Embedding -> GlobalAveragePooling1D -> Dense."""
    vectorizer = layers.TextVectorization(max_tokens=24, output_sequence_length=SEQUENCE_LENGTH)
    vectorizer.adapt(corpus)
    model = hocsau.Sequential([vectorizer, layers.Embedding(24, 4),
                               layers.GlobalAveragePooling1D(), layers.Dense(2)])
    run(model, corpus)  # builds the layers (recording their input shapes, as Keras does)
    return model


def tf_idf_model(corpus):
    """TextVectorization ("tf_idf") -> Dense."""
    vectorizer = layers.TextVectorization(max_tokens=16, output_mode="tf_idf")
    vectorizer.adapt(corpus)
    model = hocsau.Sequential([vectorizer, layers.Dense(3)])
    run(model, corpus)
    return model


def run(model, texts) -> tuple:
    """The vectorized texts and the model's outputs on them, the layers run one after the
    other (a hocsau model does not take strings itself)."""
    vectorized = model.layers[0](np.array(texts)[:, None])
    x = vectorized
    for layer in model.layers[1:]:
        x = layer(x)
    return vectorized.cpu().numpy(), x.detach().cpu().numpy()


def outputs(model, probes) -> dict:
    """The vocabulary, the vectorized probes and the model's outputs on them."""
    vectorized, predicted = run(model, probes)
    return {"vocabulary": model.layers[0].get_vocabulary(), "vectorized": vectorized.tolist(),
            "predicted": predicted.tolist()}


def main():
    with open(os.path.join(HERE, "keras_text_vectorization_outputs.json"), encoding="utf-8") as f:
        reference = json.load(f)
    hocsau.utils.set_random_seed(7)
    results = {}
    for name, build in (("int", int_model), ("tf_idf", tf_idf_model)):
        model = build(reference["corpus"])
        model.save(os.path.join(HERE, f"hocsau_text_vectorization_{name}.keras"))
        results[name] = outputs(model, reference["probes"])
    with open(os.path.join(HERE, "hocsau_text_vectorization_outputs.json"), "w",
              encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
